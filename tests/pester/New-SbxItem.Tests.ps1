BeforeAll {
    . (Join-Path $PSScriptRoot 'TestAgent.ps1')
    $agent = Start-TestAgent
    Import-Module (Get-TestModulePath) -Force
    $session = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token -Name main
}

AfterAll {
    try {
        Get-SbxSession | Remove-SbxSession
    }
    finally {
        if ($agent) { Stop-TestAgent $agent }
    }
}

Describe 'New-SbxItem' -Tag Smoke {
    It 'creates a directory and returns it' {
        $item = New-SbxItem -ItemType Directory -Path made
        $local = Join-Path $agent.Home 'made'
        Test-Path -LiteralPath $local -PathType Container | Should -BeTrue
        $item | Should -BeOfType ([ScaleBox.Sandbox.Client.Files.SandboxItem])
        $item.Name | Should -Be 'made'
        $item.Path | Should -Be $local
        $item.Type | Should -Be 'Directory'
        $item.UnixMode | Should -Be (Get-Item -LiteralPath $local).UnixMode
    }

    It 'creates the parents too' {
        $item = New-SbxItem -ItemType Directory -Path deep/er/est
        Test-Path -LiteralPath (Join-Path $agent.Home 'deep/er/est') -PathType Container | Should -BeTrue
        $item.Path | Should -Be (Join-Path $agent.Home 'deep/er/est')
        @($item) | Should -HaveCount 1
    }

    It 'creates at an absolute path' {
        $target = Join-Path $agent.Home 'absolute/one'
        (New-SbxItem -ItemType Directory -Path $target).Path | Should -Be $target
        Test-Path -LiteralPath $target -PathType Container | Should -BeTrue
    }

    It 'creates several directories, from -Path and from the pipeline' {
        (New-SbxItem -ItemType Directory -Path many/a, many/b).Name | Should -Be @('a', 'b')
        ('many/c', 'many/d' | New-SbxItem -ItemType Directory).Name | Should -Be @('c', 'd')
        (Get-ChildItem -LiteralPath (Join-Path $agent.Home 'many')).Name | Sort-Object | Should -Be @('a', 'b', 'c', 'd')
    }

    It 'accepts -Type as an alias and the item type in any case' {
        (New-SbxItem -Type directory -Path alias-made).Type | Should -Be 'Directory'
    }

    It 'refuses an item type other than Directory or File' {
        { New-SbxItem -ItemType SymbolicLink -Path not-made } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
        Test-Path -LiteralPath (Join-Path $agent.Home 'not-made') | Should -BeFalse
    }

    It 'reports an existing directory as AlreadyExists (ResourceExists)' {
        New-Item -ItemType Directory -Path (Join-Path $agent.Home 'exists') | Out-Null
        $out = New-SbxItem -ItemType Directory -Path exists -ErrorAction SilentlyContinue -ErrorVariable err
        $out | Should -BeNullOrEmpty
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -Be 'AlreadyExists,ScaleBox.Sandbox.Commands.NewSbxItemCommand'
        $err[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        $err[0].TargetObject | Should -Be 'exists'
    }

    It 'goes on with the next path after an existing one' {
        New-Item -ItemType Directory -Path (Join-Path $agent.Home 'exists2') | Out-Null
        $out = New-SbxItem -ItemType Directory -Path exists2, fresh2 -ErrorAction SilentlyContinue -ErrorVariable err
        $out.Name | Should -Be 'fresh2'
        $err | Should -HaveCount 1
        Test-Path -LiteralPath (Join-Path $agent.Home 'fresh2') -PathType Container | Should -BeTrue
    }

    It 'returns the existing directory with -Force, keeping what it holds' {
        $local = Join-Path $agent.Home 'forced'
        New-Item -ItemType Directory -Path $local | Out-Null
        Set-Content -LiteralPath (Join-Path $local 'kept.txt') -Value 'kept'
        $item = New-SbxItem -ItemType Directory -Path forced -Force -ErrorVariable err
        $err | Should -BeNullOrEmpty
        $item.Path | Should -Be $local
        $item.Type | Should -Be 'Directory'
        Get-Content -LiteralPath (Join-Path $local 'kept.txt') | Should -Be 'kept'
    }

    It 'does not turn an existing file into a directory, even with -Force' {
        $local = Join-Path $agent.Home 'a-file'
        Set-Content -LiteralPath $local -Value 'data'
        $out = New-SbxItem -ItemType Directory -Path a-file -Force -ErrorAction SilentlyContinue -ErrorVariable err
        $out | Should -BeNullOrEmpty
        $err | Should -HaveCount 1
        Test-Path -LiteralPath $local -PathType Leaf | Should -BeTrue
        Get-Content -LiteralPath $local | Should -Be 'data'
    }

    It 'creates nothing and returns nothing with -WhatIf' {
        $out = New-SbxItem -ItemType Directory -Path what/if -WhatIf
        $out | Should -BeNullOrEmpty
        Test-Path -LiteralPath (Join-Path $agent.Home 'what') | Should -BeFalse
    }

    Context '-ItemType File' {
        BeforeAll {
            function Get-LocalBytes([string] $Path) {
                [System.IO.File]::ReadAllBytes((Join-Path $agent.Home $Path))
            }
        }

        It 'creates a file whose content is -Value as UTF-8 text, and returns it' {
            $item = New-SbxItem -ItemType File -Path files/text.txt -Value 'héllo ✓ 文字'
            $local = Join-Path $agent.Home 'files/text.txt'
            $expected = [System.Text.UTF8Encoding]::new($false).GetBytes('héllo ✓ 文字')
            # No byte order mark, no line end added.
            Get-LocalBytes files/text.txt | Should -Be $expected
            $item | Should -BeOfType ([ScaleBox.Sandbox.Client.Files.SandboxItem])
            $item.Name | Should -Be 'text.txt'
            $item.Path | Should -Be $local
            $item.Type | Should -Be 'File'
            $item.Length | Should -Be $expected.Length
        }

        It 'writes a multi-line value as it is' {
            New-SbxItem -ItemType File -Path files/lines.txt -Value "one`ntwo`r`nthree" | Out-Null
            [System.IO.File]::ReadAllText((Join-Path $agent.Home 'files/lines.txt')) | Should -BeExactly "one`ntwo`r`nthree"
        }

        It 'converts a value that is not a string to text' {
            New-SbxItem -ItemType File -Path files/number.txt -Value 42 | Out-Null
            [System.IO.File]::ReadAllText((Join-Path $agent.Home 'files/number.txt')) | Should -BeExactly '42'
        }

        It 'writes a byte array as it is' {
            $bytes = [byte[]](0, 1, 0x0A, 0x0D, 0x80, 0xFE, 0xFF)
            $item = New-SbxItem -ItemType File -Path files/bytes.bin -Value $bytes
            Get-LocalBytes files/bytes.bin | Should -Be $bytes
            $item.Length | Should -Be 7
        }

        It 'creates an empty file without -Value' {
            $item = New-SbxItem -ItemType File -Path files/empty.txt
            Test-Path -LiteralPath (Join-Path $agent.Home 'files/empty.txt') -PathType Leaf | Should -BeTrue
            (Get-Item -LiteralPath (Join-Path $agent.Home 'files/empty.txt')).Length | Should -Be 0
            $item.Type | Should -Be 'File'
            $item.Length | Should -Be 0
        }

        It 'creates a file when -ItemType is not given, as New-Item does' {
            $item = New-SbxItem -Path files/untyped.txt -Value 'no type'
            $item.Type | Should -Be 'File'
            Get-Content -LiteralPath (Join-Path $agent.Home 'files/untyped.txt') -Raw | Should -Be 'no type'
            (New-Item -Path (Join-Path $agent.Home 'files/untyped-local.txt')).GetType().Name | Should -Be 'FileInfo'
        }

        It 'creates the parents of a file' {
            $item = New-SbxItem -ItemType File -Path files/new/deep/file.txt -Value 'deep'
            $item.Path | Should -Be (Join-Path $agent.Home 'files/new/deep/file.txt')
            Get-Content -LiteralPath $item.Path -Raw | Should -Be 'deep'
        }

        It 'creates a file at an absolute path, with the item type in any case' {
            $target = Join-Path $agent.Home 'files/absolute.txt'
            (New-SbxItem -Type file -Path $target -Value 'abs').Path | Should -Be $target
            Get-Content -LiteralPath $target -Raw | Should -Be 'abs'
        }

        It 'takes a path as written, without wildcards' {
            (New-SbxItem -ItemType File -Path 'files/n[1].txt' -Value 'bracket').Name | Should -Be 'n[1].txt'
            Get-Content -LiteralPath (Join-Path $agent.Home 'files/n[1].txt') -Raw | Should -Be 'bracket'
        }

        It 'creates several files, from -Path and from the pipeline' {
            (New-SbxItem -ItemType File -Path files/many/a, files/many/b -Value 'v').Name | Should -Be @('a', 'b')
            ('files/many/c', 'files/many/d' | New-SbxItem -ItemType File -Value 'v').Name | Should -Be @('c', 'd')
            (Get-ChildItem -LiteralPath (Join-Path $agent.Home 'files/many')).Name | Sort-Object | Should -Be @('a', 'b', 'c', 'd')
            Get-Content -LiteralPath (Join-Path $agent.Home 'files/many/d') -Raw | Should -Be 'v'
        }

        It 'reports an existing file as AlreadyExists (ResourceExists) and leaves it alone' {
            $local = Join-Path $agent.Home 'files/existing.txt'
            Set-Content -LiteralPath $local -Value 'old' -NoNewline
            $out = New-SbxItem -ItemType File -Path files/existing.txt -Value 'new' -ErrorAction SilentlyContinue -ErrorVariable err
            $out | Should -BeNullOrEmpty
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -Be 'AlreadyExists,ScaleBox.Sandbox.Commands.NewSbxItemCommand'
            $err[0].CategoryInfo.Category | Should -Be 'ResourceExists'
            $err[0].TargetObject | Should -Be 'files/existing.txt'
            Get-Content -LiteralPath $local -Raw | Should -Be 'old'
        }

        It 'replaces an existing file with -Force' {
            $local = Join-Path $agent.Home 'files/forced.txt'
            Set-Content -LiteralPath $local -Value ('old and longer ' * 50) -NoNewline
            $item = New-SbxItem -ItemType File -Path files/forced.txt -Value 'new' -Force -ErrorVariable err
            $err | Should -BeNullOrEmpty
            Get-Content -LiteralPath $local -Raw | Should -Be 'new'
            $item.Length | Should -Be 3

            New-SbxItem -ItemType File -Path files/forced.txt -Force | Out-Null
            (Get-Item -LiteralPath $local).Length | Should -Be 0
        }

        It 'never replaces a directory with a file, even with -Force (AlreadyExists)' {
            $local = Join-Path $agent.Home 'files/a-dir'
            New-Item -ItemType Directory -Path $local | Out-Null
            Set-Content -LiteralPath (Join-Path $local 'kept.txt') -Value 'kept'

            foreach ($force in $false, $true) {
                New-SbxItem -ItemType File -Path files/a-dir -Value 'x' -Force:$force -ErrorAction SilentlyContinue -ErrorVariable err |
                    Should -BeNullOrEmpty
                $err | Should -HaveCount 1
                $err[0].FullyQualifiedErrorId | Should -Be 'AlreadyExists,ScaleBox.Sandbox.Commands.NewSbxItemCommand'
                $err[0].CategoryInfo.Category | Should -Be 'ResourceExists'
                $err[0].TargetObject | Should -Be 'files/a-dir'
                $err[0].Exception.Message | Should -Match 'directory'
            }
            Test-Path -LiteralPath $local -PathType Container | Should -BeTrue
            Get-Content -LiteralPath (Join-Path $local 'kept.txt') | Should -Be 'kept'
        }

        It 'refuses -Value with -ItemType Directory (ValueNeedsFile) and creates nothing' {
            $caught = $null
            try {
                New-SbxItem -ItemType Directory -Path files/value-dir -Value 'x'
            }
            catch {
                $caught = $_
            }
            $caught | Should -Not -BeNullOrEmpty
            $caught.FullyQualifiedErrorId | Should -Be 'ValueNeedsFile,ScaleBox.Sandbox.Commands.NewSbxItemCommand'
            $caught.CategoryInfo.Category | Should -Be 'InvalidArgument'
            Test-Path -LiteralPath (Join-Path $agent.Home 'files/value-dir') | Should -BeFalse
        }

        It 'creates no file and returns nothing with -WhatIf' {
            New-SbxItem -ItemType File -Path files/whatif.txt -Value 'x' -WhatIf | Should -BeNullOrEmpty
            Test-Path -LiteralPath (Join-Path $agent.Home 'files/whatif.txt') | Should -BeFalse
        }

        It 'looks at the name alongside the upload without -Force, and not at all with it' {
            # Counted as the connections a new session's pool then holds: two requests at once need two.
            $own = Start-TestAgent
            try {
                $counts = Measure-SessionConnection -Agent $own -Variant $false, $true -Script {
                    param($counted, $own, $force)
                    New-SbxItem -Path "alongside-$force.txt" -Value 'x' -Force:$force -Session $counted
                }
                $counts | Should -Be @(2, 1)
                Get-Content -LiteralPath (Join-Path $own.Home 'alongside-False.txt') -Raw | Should -Be 'x'
                Get-ChildItem -LiteralPath $own.Home -Force | Where-Object Name -Like '.*.sbxpart-*' | Should -BeNullOrEmpty
            }
            finally {
                Stop-TestAgent $own
            }
        }

        It 'leaves no staging file behind' {
            Get-ChildItem -LiteralPath $agent.Home -Recurse -Force | Where-Object Name -Like '.*.sbxpart-*' | Should -BeNullOrEmpty
        }
    }

    Context 'many paths' {
        It 'creates 150 files from piped objects with their own -Value, in order, with -ThrottleLimit <Limit>' -ForEach @(
            @{ Limit = 1 }, @{ Limit = 16 }, @{ Limit = 64 }
        ) {
            $root = "many-files-$Limit"
            $null = New-Item -ItemType File -Path (Join-Path $agent.Home "$root/f050.json") -Value 'was here' -Force
            $records = foreach ($i in 1..150) { [pscustomobject]@{ Path = '{0}/f{1:D3}.json' -f $root, $i; Value = "{ `"id`": $i }" } }
            $out = $records | New-SbxItem -ThrottleLimit $Limit -ErrorAction Continue 2>&1
            $expected = foreach ($r in $records) {
                if ($r.Path -like '*/f050.json') { "ERROR AlreadyExists $($r.Path)" } else { Join-Path $agent.Home $r.Path }
            }
            @(ConvertTo-ComparableOutput $out) | Should -Be @($expected)
            foreach ($i in 1..150) {
                $expectedContent = if ($i -eq 50) { 'was here' } else { "{ `"id`": $i }" }
                Get-Content -LiteralPath (Join-Path $agent.Home ('{0}/f{1:D3}.json' -f $root, $i)) -Raw | Should -Be $expectedContent
            }
        }

        It 'makes a directory before the paths inside it, as one at a time would, with -ThrottleLimit <Limit>' -ForEach @(
            @{ Limit = 1 }, @{ Limit = 16 }
        ) {
            # "d" then "d/sub": made side by side, making "d/sub" makes "d" too, and "d" would then be
            # AlreadyExists; given in this order one at a time, neither is.
            $paths = foreach ($i in 1..20) { "nest-$Limit/d$i"; "nest-$Limit/d$i/sub"; "~/nest-$Limit/d$i/sub/deeper" }
            $out = $paths | New-SbxItem -ItemType Directory -ThrottleLimit $Limit -ErrorAction Continue 2>&1
            $errors = @($out | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
            $errors | Should -BeNullOrEmpty
            @($out).Count | Should -Be 60
            $out[2].Path | Should -Be (Join-Path $agent.Home "nest-$Limit/d1/sub/deeper")
        }

        It 'creates a file and the same file again in order: the second is AlreadyExists, or replaces it with -Force' {
            $first = 'twice/a.txt', 'twice/a.txt' | New-SbxItem -Value 'one' -ErrorAction SilentlyContinue -ErrorVariable err
            @($first).Count | Should -Be 1
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'AlreadyExists,*'
            [pscustomobject]@{ Path = 'twice/b.txt'; Value = 'first' }, [pscustomobject]@{ Path = 'twice/b.txt'; Value = 'second' } | New-SbxItem -Force | Out-Null
            Get-Content -LiteralPath (Join-Path $agent.Home 'twice/b.txt') -Raw | Should -Be 'second'
        }
    }
}

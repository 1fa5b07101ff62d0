BeforeAll {
    . (Join-Path $PSScriptRoot 'TestAgent.ps1')
    $agent = Start-TestAgent
    Import-Module (Get-TestModulePath) -Force
    $session = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token -Name main

    function New-LocalFile([string] $Path, [string] $Content = $Path) {
        $full = Join-Path $agent.Home $Path
        $parent = Split-Path -Parent $full
        if (-not (Test-Path -LiteralPath $parent)) { New-Item -ItemType Directory -Path $parent | Out-Null }
        Set-Content -LiteralPath $full -Value $Content -NoNewline
        $full
    }

    function New-LocalDirectory([string] $Path) {
        (New-Item -ItemType Directory -Path (Join-Path $agent.Home $Path) -Force).FullName
    }

    function Test-Local([string] $Path) {
        # Also true for a dangling symbolic link.
        $full = Join-Path $agent.Home $Path
        [System.IO.File]::Exists($full) -or [System.IO.Directory]::Exists($full) -or
            $null -ne (Get-Item -LiteralPath $full -Force -ErrorAction SilentlyContinue)
    }
}

AfterAll {
    Get-SbxSession | Remove-SbxSession
    if ($agent) { Stop-TestAgent $agent }
}

Describe 'Remove-SbxItem' -Tag Smoke {
    Context 'files and directories' {
        It 'removes a file and outputs nothing' {
            $null = New-LocalFile 'rm/file.txt'
            $out = Remove-SbxItem -Path rm/file.txt
            $out | Should -BeNullOrEmpty
            Test-Local 'rm/file.txt' | Should -BeFalse
            Test-Local 'rm' | Should -BeTrue
        }

        It 'removes an empty directory without -Recurse' {
            $null = New-LocalDirectory 'rm/empty'
            Remove-SbxItem -Path rm/empty
            Test-Local 'rm/empty' | Should -BeFalse
        }

        It 'refuses a directory that is not empty without -Recurse (DirectoryNotEmpty)' {
            $null = New-LocalFile 'full/inner/x.txt'
            Remove-SbxItem -Path full -ErrorAction SilentlyContinue -ErrorVariable err
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -Be 'DirectoryNotEmpty,ScaleBox.Sandbox.Commands.RemoveSbxItemCommand'
            $err[0].TargetObject | Should -Be (Join-Path $agent.Home 'full')
            $err[0].Exception.Message | Should -Match '-Recurse'
            Test-Local 'full/inner/x.txt' | Should -BeTrue
        }

        It 'removes a tree with -Recurse' {
            $null = New-LocalFile 'tree/a/b/c.txt'
            $null = New-LocalFile 'tree/d.txt'
            Remove-SbxItem -Path tree -Recurse
            Test-Local 'tree' | Should -BeFalse
        }

        It 'removes an absolute path' {
            $full = New-LocalFile 'abs.txt'
            Remove-SbxItem -Path $full
            Test-Local 'abs.txt' | Should -BeFalse
        }

        It 'removes every match of a wildcard, and nothing else' {
            $null = New-LocalFile 'wild/a.log'
            $null = New-LocalFile 'wild/b.log'
            $null = New-LocalFile 'wild/c.txt'
            Remove-SbxItem -Path 'wild/*.log'
            (Get-ChildItem -LiteralPath (Join-Path $agent.Home 'wild')).Name | Should -Be @('c.txt')
        }

        It 'removes a name with brackets given with -LiteralPath, and not the name the pattern matches' {
            $null = New-LocalFile 'lit/a[1].txt'
            $null = New-LocalFile 'lit/a1.txt'
            Remove-SbxItem -LiteralPath 'lit/a[1].txt'
            (Get-ChildItem -LiteralPath (Join-Path $agent.Home 'lit')).Name | Should -Be @('a1.txt')
        }

        It 'removes a name with brackets given with -Path when the pattern matches nothing' {
            $null = New-LocalFile 'lit2/b[2].txt'
            Remove-SbxItem -Path 'lit2/b[2].txt'
            Test-Local 'lit2/b[2].txt' | Should -BeFalse
        }
    }

    Context 'the pipeline' {
        It 'removes the items piped from Get-SbxChildItem' {
            $null = New-LocalFile 'piped/x.tmp'
            $null = New-LocalFile 'piped/y.tmp'
            $null = New-LocalFile 'piped/keep.txt'
            Get-SbxChildItem -Path piped -Filter *.tmp | Remove-SbxItem
            (Get-ChildItem -LiteralPath (Join-Path $agent.Home 'piped')).Name | Should -Be @('keep.txt')
        }

        It 'removes the very item piped to it, even when its name looks like a wildcard' {
            # SandboxItem.Path binds to -Path (wildcards) by property name: 'a[1].txt' then means 'a1.txt'.
            $null = New-LocalFile 'pipelit/a[1].txt'
            $null = New-LocalFile 'pipelit/a1.txt'
            Get-SbxChildItem -Path pipelit | Where-Object Name -EQ 'a[1].txt' | Remove-SbxItem
            (Get-ChildItem -LiteralPath (Join-Path $agent.Home 'pipelit')).Name | Should -Be @('a1.txt')
        }

        It 'removes paths piped as strings' {
            $null = New-LocalFile 'strings/one'
            $null = New-LocalFile 'strings/two'
            'strings/one', 'strings/two' | Remove-SbxItem
            Get-ChildItem -LiteralPath (Join-Path $agent.Home 'strings') | Should -BeNullOrEmpty
        }
    }

    Context 'many items in flight (-ThrottleLimit)' {
        It 'removes 200 piped items with -ThrottleLimit <Limit>, errors in the order of the items' -ForEach @(@{ Limit = 1 }, @{ Limit = 16 }, @{ Limit = 64 }) {
            $folder = "many-$Limit"
            foreach ($i in 1..200) { $null = New-LocalFile ('{0}/f{1:000}.txt' -f $folder, $i) }
            $null = New-LocalFile "$folder/keep.txt"
            $items = @(Get-SbxChildItem -Path $folder -Filter 'f*.txt' | Sort-Object Name)
            # Two items the agent refuses (a NUL in the path), at known places among the others.
            $refused = foreach ($at in 50, 150) { [ScaleBox.Sandbox.Client.Files.SandboxItem]@{ Name = "bad$at"; Path = "$folder/bad$at`0"; Type = 'File' } }
            $piped = @($items[0..49]) + $refused[0] + @($items[50..149]) + $refused[1] + @($items[150..199])
            $piped | Remove-SbxItem -ThrottleLimit $Limit -ErrorAction SilentlyContinue -ErrorVariable err
            $err | Should -HaveCount 2
            $err.TargetObject | Should -Be $refused.Path
            $err[0].FullyQualifiedErrorId | Should -Be 'InvalidArgument,ScaleBox.Sandbox.Commands.RemoveSbxItemCommand'
            (Get-ChildItem -LiteralPath (Join-Path $agent.Home $folder)).Name | Should -Be @('keep.txt')
        }

        It 'removes a directory given after its contents without -Recurse, as Remove-Item does' {
            # Deepest first: each directory is looked into only after the deletions before it are done.
            foreach ($i in 1..30) { $null = New-LocalFile "deepest/a/b/f$i.txt" }
            $null = New-LocalFile 'deepest/a/g.txt'
            $deepestFirst = Get-SbxChildItem -Path deepest -Recurse | Sort-Object { $_.Path.Length } -Descending
            # Given at once, the files are all in flight when the first directory comes.
            Remove-SbxItem -InputObject $deepestFirst -ThrottleLimit 64 -ErrorVariable err
            $err | Should -BeNullOrEmpty
            Get-ChildItem -LiteralPath (Join-Path $agent.Home 'deepest') -Force | Should -BeNullOrEmpty
        }

        It 'removes every match of a wildcard several at a time, and reports a missing path after them' {
            foreach ($i in 1..40) { $null = New-LocalFile "wild-many/f$i.tmp" }
            Remove-SbxItem -Path wild-many/*.tmp, wild-many/missing.tmp -ErrorAction SilentlyContinue -ErrorVariable err
            $err | Should -HaveCount 1
            $err[0].TargetObject | Should -Be 'wild-many/missing.tmp'
            Get-ChildItem -LiteralPath (Join-Path $agent.Home 'wild-many') | Should -BeNullOrEmpty
        }

        It 'refuses a -ThrottleLimit of <Limit>' -ForEach @(@{ Limit = 0 }, @{ Limit = 65 }) {
            { Remove-SbxItem -Path x -ThrottleLimit $Limit } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
        }
    }

    Context 'paths given as strings, looked up with their deletion' {
        BeforeAll {
            function New-StringsTree([string] $Folder) {
                <# Files, a directory with content, one emptied by the paths before it, a link to a directory and a name with brackets. #>
                foreach ($i in 1..60) { $null = New-LocalFile ('{0}/f{1:00}.txt' -f $Folder, $i) }
                $null = New-LocalFile "$Folder/full/keep.txt"
                $null = New-LocalFile "$Folder/emptied/x.txt"
                $null = New-LocalFile "$Folder/emptied/y.txt"
                $null = New-LocalFile "$Folder/twice.txt"
                $null = New-LocalDirectory "$Folder/empty-dir"
                $null = New-LocalFile "$Folder/br[1].txt"
                $target = New-LocalDirectory "$Folder/target"
                $null = New-LocalFile "$Folder/target/inside.txt"
                New-Item -ItemType SymbolicLink -Path (Join-Path $agent.Home "$Folder/link-to-dir") -Target $target | Out-Null
            }

            function Get-StringsPaths([string] $Folder) {
                $names = @(1..60 | ForEach-Object { 'f{0:00}.txt' -f $_ })
                $names = $names[0..9] + 'missing.txt' + $names[10..29] + 'full' + 'emptied/x.txt' + 'emptied/y.txt' + 'emptied' +
                    $names[30..44] + 'twice.txt' + 'twice.txt' + 'link-to-dir' + 'empty-dir' + 'br[1].txt' + $names[45..59]
                $names | ForEach-Object { "$Folder/$_" }
            }

            function Get-Remaining([string] $Folder) {
                $root = Join-Path $agent.Home $Folder
                Get-ChildItem -LiteralPath $root -Recurse -Force | ForEach-Object { [System.IO.Path]::GetRelativePath($root, $_.FullName) } | Sort-Object
            }
        }

        It 'removes strings side by side at -ThrottleLimit <Limit> with the outcomes of one at a time' -ForEach @(@{ Limit = 1 }, @{ Limit = 16 }, @{ Limit = 64 }) {
            # The same paths one at a time: with -Verbose, each is looked up on its own before its deletion.
            New-StringsTree "strings-ref-$Limit"
            $expected = @(ConvertTo-ComparableOutput (Remove-SbxItem -LiteralPath (Get-StringsPaths "strings-ref-$Limit") -Verbose -ErrorAction Continue 2>&1 4>$null)) -replace "strings-ref-$Limit", 'X'
            New-StringsTree "strings-$Limit"
            $actual = @(ConvertTo-ComparableOutput (Remove-SbxItem -LiteralPath (Get-StringsPaths "strings-$Limit") -ThrottleLimit $Limit -ErrorAction Continue 2>&1)) -replace "strings-$Limit", 'X'

            $expected | Should -Be @('ERROR NotFound X/missing.txt', "ERROR DirectoryNotEmpty $(Join-Path $agent.Home 'X/full')", 'ERROR NotFound X/twice.txt')
            $actual | Should -Be $expected
            Get-Remaining "strings-$Limit" | Should -Be @(Get-Remaining "strings-ref-$Limit")
            Get-Remaining "strings-$Limit" | Should -Be @('full', 'full/keep.txt', 'target', 'target/inside.txt')
        }

        It 'reads -Path escapes and patterns among plain names' {
            New-StringsTree 'strings-path'
            Remove-SbxItem -Path 'strings-path/br`[1`].txt', 'strings-path/f0*.txt', 'strings-path/f10.txt', 'strings-path/gone' -ErrorAction SilentlyContinue -ErrorVariable err
            $err.TargetObject | Should -Be 'strings-path/gone'
            Test-Local 'strings-path/br[1].txt' | Should -BeFalse
            (Get-ChildItem -LiteralPath (Join-Path $agent.Home 'strings-path') -Filter 'f*.txt').Name | Should -Be @(11..60 | ForEach-Object { 'f{0:00}.txt' -f $_ })
        }

        It 'removes nothing when $WhatIfPreference is set in the caller''s scope' {
            $null = New-LocalFile 'strings-whatif/file.txt'
            $null = New-LocalDirectory 'strings-whatif/dir'
            & {
                $WhatIfPreference = $true
                Remove-SbxItem -LiteralPath strings-whatif/file.txt, strings-whatif/dir
            }
            Test-Local 'strings-whatif/file.txt' | Should -BeTrue
            Test-Local 'strings-whatif/dir' | Should -BeTrue
        }

        It 'looks up and deletes many at once, where -Verbose (each looked up before it is named) takes one connection' {
            $counts = Measure-QuietAndToldConnection -Script {
                param($counted, $own, $verbose)
                Remove-SbxItem -LiteralPath (New-NumberedFile "$($own.Home)/$verbose") -ThrottleLimit 8 -Session $counted -Verbose:$verbose 4>$null
                Get-ChildItem -LiteralPath "$($own.Home)/$verbose" | Should -BeNullOrEmpty
            }
            $counts[0] | Should -BeGreaterThan 1
            $counts[1] | Should -Be 1
        }
    }

    Context '-WhatIf' {
        It 'keeps a file with -WhatIf' {
            $null = New-LocalFile 'whatif/file.txt'
            Remove-SbxItem -Path whatif/file.txt -WhatIf
            Test-Local 'whatif/file.txt' | Should -BeTrue
        }

        It 'keeps a tree with -Recurse -WhatIf' {
            $null = New-LocalFile 'whatif/tree/deep/x.txt'
            Remove-SbxItem -Path whatif/tree -Recurse -WhatIf
            Test-Local 'whatif/tree/deep/x.txt' | Should -BeTrue
        }
    }

    Context 'symbolic links' {
        It 'removes a link to a directory and leaves the directory and its content alone' {
            $target = New-LocalDirectory 'links/target'
            $null = New-LocalFile 'links/target/inside.txt' 'inside'
            $link = Join-Path $agent.Home 'links/to-dir'
            New-Item -ItemType SymbolicLink -Path $link -Target $target | Out-Null
            (Get-SbxItem -Path links/to-dir).LinkTarget | Should -Not -BeNullOrEmpty

            Remove-SbxItem -Path links/to-dir -ErrorVariable err
            $err | Should -BeNullOrEmpty
            Test-Local 'links/to-dir' | Should -BeFalse
            Test-Local 'links/target' | Should -BeTrue
            Get-Content -LiteralPath (Join-Path $target 'inside.txt') -Raw | Should -Be 'inside'
        }

        It 'removes only the link with -Recurse too' {
            $target = New-LocalDirectory 'links2/target'
            $null = New-LocalFile 'links2/target/inside.txt' 'inside'
            New-Item -ItemType SymbolicLink -Path (Join-Path $agent.Home 'links2/to-dir') -Target $target | Out-Null
            Remove-SbxItem -Path links2/to-dir -Recurse
            Test-Local 'links2/to-dir' | Should -BeFalse
            Get-Content -LiteralPath (Join-Path $target 'inside.txt') -Raw | Should -Be 'inside'
        }

        It 'removes a link to a file and leaves the file alone' {
            $target = New-LocalFile 'links3/real.txt' 'real'
            New-Item -ItemType SymbolicLink -Path (Join-Path $agent.Home 'links3/to-file') -Target $target | Out-Null
            Remove-SbxItem -Path links3/to-file
            Test-Local 'links3/to-file' | Should -BeFalse
            Get-Content -LiteralPath $target -Raw | Should -Be 'real'
        }
    }

    Context 'errors' {
        It 'reports a missing path as NotFound with the path as target' {
            Remove-SbxItem -Path no/such/thing -ErrorAction SilentlyContinue -ErrorVariable err
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -Be 'NotFound,ScaleBox.Sandbox.Commands.RemoveSbxItemCommand'
            $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err[0].TargetObject | Should -Be 'no/such/thing'
        }

        It 'goes on with the next path after a missing one' {
            $null = New-LocalFile 'after/real.txt'
            Remove-SbxItem -Path after/missing.txt, after/real.txt -ErrorAction SilentlyContinue -ErrorVariable err
            $err | Should -HaveCount 1
            Test-Local 'after/real.txt' | Should -BeFalse
        }
    }
}

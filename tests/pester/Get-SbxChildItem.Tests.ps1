BeforeAll {
    . (Join-Path $PSScriptRoot 'TestAgent.ps1')
    $agent = Start-TestAgent
    Import-Module (Get-TestModulePath) -Force
    $session = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token -Name main

    # tree/
    #   a.txt  b.log  c.log  empty/  sub/
    #   sub/d.txt  sub/deeper/
    #   sub/deeper/e.log  sub/deeper/deepest/  sub/deeper/deepest/f.txt
    $tree = Join-Path $agent.Home 'tree'
    New-Item -ItemType Directory -Path (Join-Path $tree 'empty'), (Join-Path $tree 'sub/deeper/deepest') | Out-Null
    foreach ($file in 'a.txt', 'b.log', 'c.log', 'sub/d.txt', 'sub/deeper/e.log', 'sub/deeper/deepest/f.txt') {
        Set-Content -LiteralPath (Join-Path $tree $file) -Value $file
    }

    function Get-OsPath {
        # What the local file system lists, as full paths in ordinal order.
        param([string] $Path, [switch] $Recurse, [int] $Depth = -1, [string] $Filter, [switch] $File, [switch] $Directory)
        $arguments = @{ LiteralPath = $Path; Force = $true }
        if ($Recurse) { $arguments.Recurse = $true }
        if ($Depth -ge 0) { $arguments.Depth = $Depth }
        if ($Filter) { $arguments.Filter = $Filter }
        if ($File) { $arguments.File = $true }
        if ($Directory) { $arguments.Directory = $true }
        [string[]] $paths = Get-ChildItem @arguments | ForEach-Object FullName
        [Array]::Sort($paths, [StringComparer]::Ordinal)
        $paths
    }

    function Sort-Ordinal([string[]] $Paths) {
        [Array]::Sort($Paths, [StringComparer]::Ordinal)
        $Paths
    }
}

AfterAll {
    Get-SbxSession | Remove-SbxSession
    if ($agent) { Stop-TestAgent $agent }
}

Describe 'Get-SbxChildItem' -Tag Smoke {
    Context 'listing' {
        It 'lists a directory''s own entries, as the OS does' {
            $items = Get-SbxChildItem -Path tree
            $items | ForEach-Object { $_ | Should -BeOfType ([ScaleBox.Sandbox.Client.Files.SandboxItem]) }
            Sort-Ordinal $items.Path | Should -Be (Get-OsPath $tree)
            $items.Name | Should -Be @('empty', 'sub', 'a.txt', 'b.log', 'c.log')
        }

        It 'reports each entry''s fields' {
            $items = Get-SbxChildItem -Path tree
            $a = $items | Where-Object Name -EQ 'a.txt'
            $os = Get-Item -LiteralPath (Join-Path $tree 'a.txt')
            $a.Type | Should -Be 'File'
            $a.Length | Should -Be $os.Length
            $a.UnixMode | Should -Be $os.UnixMode
            ($items | Where-Object Name -EQ 'sub').Type | Should -Be 'Directory'
        }

        It 'lists the agent home when -Path is omitted' {
            (Get-SbxChildItem).Path | Should -Be (Get-OsPath $agent.Home)
        }

        It 'lists an absolute path' {
            (Get-SbxChildItem -Path (Join-Path $tree 'sub')).Name | Should -Be @('deeper', 'd.txt')
        }

        It 'lists a file as the file itself, as Get-ChildItem does' {
            $items = Get-SbxChildItem -Path tree/a.txt -ErrorVariable err
            $err | Should -BeNullOrEmpty
            @($items) | Should -HaveCount 1
            $items.Path | Should -Be (Get-OsPath (Join-Path $tree 'a.txt'))
        }

        It 'lists an empty directory as nothing, without an error' {
            $out = Get-SbxChildItem -Path tree/empty -ErrorVariable err
            $out | Should -BeNullOrEmpty
            $err | Should -BeNullOrEmpty
        }

        It 'lists everything below with -Recurse' {
            $items = Get-SbxChildItem -Path tree -Recurse
            Sort-Ordinal $items.Path | Should -Be (Get-OsPath $tree -Recurse)
            $items.Name | Should -Contain 'f.txt'
        }

        It 'lists recursively in Get-ChildItem''s order: each directory''s entries together, directories first' {
            $items = Get-SbxChildItem -Path $tree -Recurse
            # Each directory's entries form one run: none comes back after another directory's.
            $runs = [System.Collections.Generic.List[string]]::new()
            foreach ($item in $items) {
                if ($runs.Count -eq 0 -or $runs[-1] -ne $item.DirectoryName) { $runs.Add($item.DirectoryName) }
            }
            $runs | Should -Be @($tree, "$tree/sub", "$tree/sub/deeper", "$tree/sub/deeper/deepest") -Because 'a directory is followed by its subdirectories, depth first, as Get-ChildItem recurses'
            # Within a directory: as Get-ChildItem sorts it.
            $own = $items | Where-Object DirectoryName -eq $tree | ForEach-Object Name
            $own | Should -Be (Get-ChildItem -LiteralPath $tree | ForEach-Object Name)
        }

        It 'prints each directory''s header once in a recursive listing' {
            $text = Get-SbxChildItem -Path $tree -Recurse | Out-String -Width 200
            foreach ($directory in $tree, "$tree/sub", "$tree/sub/deeper", "$tree/sub/deeper/deepest") {
                ([regex]::Matches($text, "(?m)^\s*Directory: $([regex]::Escape($directory))\s*$")).Count | Should -Be 1 -Because "the header of $directory"
            }
        }

        It 'counts -Depth as Get-ChildItem does: 0 is the directory''s own entries' {
            Sort-Ordinal (Get-SbxChildItem -Path tree -Depth 0).Path | Should -Be (Get-OsPath $tree -Depth 0)
            Sort-Ordinal (Get-SbxChildItem -Path tree -Depth 0).Path | Should -Be (Get-OsPath $tree)
        }

        It 'goes one level further with -Depth 1, and two with -Depth 2' {
            $one = Get-SbxChildItem -Path tree -Depth 1
            Sort-Ordinal $one.Path | Should -Be (Get-OsPath $tree -Depth 1)
            $one.Name | Should -Contain 'deeper'
            $one.Name | Should -Not -Contain 'e.log'
            Sort-Ordinal (Get-SbxChildItem -Path tree -Depth 2).Path | Should -Be (Get-OsPath $tree -Depth 2)
        }

        It 'lists several directories' {
            (Get-SbxChildItem -Path tree/sub, tree/sub/deeper).Name | Should -Be @('deeper', 'd.txt', 'deepest', 'e.log')
        }

        It 'takes directories from the pipeline' {
            (Get-SbxItem -Path tree/sub | Get-SbxChildItem).Name | Should -Be @('deeper', 'd.txt')
            ('tree/sub/deeper' | Get-SbxChildItem).Name | Should -Be @('deepest', 'e.log')
        }
    }

    Context 'wildcards and literal paths' {
        BeforeAll {
            New-Item -ItemType Directory -Path (Join-Path $agent.Home 'wild/src/lib'), (Join-Path $agent.Home 'wild/br[1]') | Out-Null
            foreach ($file in 'src/main.py', 'src/lib/util.py', 'readme.md', 'br[1]/inside.txt', 'br1.txt') {
                Set-Content -LiteralPath (Join-Path $agent.Home "wild/$file") -Value $file
            }
        }

        It 'returns what a wildcard path matches, as Get-ChildItem src/* does' {
            $items = Get-SbxChildItem -Path 'wild/src/*'
            $os = Get-ChildItem -Path (Join-Path $agent.Home 'wild/src/*')
            Sort-Ordinal $items.Path | Should -Be (Sort-Ordinal $os.FullName)
            $items.Name | Should -Be @('lib', 'main.py')
        }

        It 'follows a matching directory with what is below it with -Recurse' {
            $items = Get-SbxChildItem -Path 'wild/src/*' -Recurse
            $items.Name | Should -Be @('lib', 'main.py', 'util.py')
            Get-SbxChildItem -Path 'wild/src/*' -Recurse -Name | Should -Be @('lib', 'main.py', 'lib/util.py')
        }

        It 'takes a name with brackets literally with -LiteralPath' {
            (Get-SbxChildItem -LiteralPath 'wild/br[1]').Name | Should -Be 'inside.txt'
            (Get-SbxChildItem -Path 'wild/br[1]').Name | Should -Be 'inside.txt' -Because 'a pattern that matches nothing is taken as written'
            (Get-SbxChildItem -Path 'wild/br[1].txt').Name | Should -Be 'br1.txt' -Because 'as a pattern, br[1].txt matches br1.txt'
        }
    }

    Context 'filtering' {
        It 'keeps only names that match -Filter' {
            (Get-SbxChildItem -Path tree -Filter *.log).Name | Should -Be @('b.log', 'c.log')
            Sort-Ordinal (Get-SbxChildItem -Path tree -Filter *.log).Path | Should -Be (Get-OsPath $tree -Filter *.log)
        }

        It 'takes -Filter by position' {
            (Get-SbxChildItem tree *.txt).Name | Should -Be @('a.txt')
        }

        It 'applies -Filter at every level with -Recurse' {
            $items = Get-SbxChildItem -Path tree -Filter *.log -Recurse
            Sort-Ordinal $items.Path | Should -Be (Get-OsPath $tree -Filter *.log -Recurse)
            $items.Name | Should -Be @('b.log', 'c.log', 'e.log')
        }

        It 'keeps only files with -File' {
            $items = Get-SbxChildItem -Path tree -File -Recurse
            Sort-Ordinal $items.Path | Should -Be (Get-OsPath $tree -File -Recurse)
            $items | ForEach-Object { $_.Type | Should -Be 'File' }
        }

        It 'keeps only directories with -Directory' {
            $items = Get-SbxChildItem -Path tree -Directory -Recurse
            Sort-Ordinal $items.Path | Should -Be (Get-OsPath $tree -Directory -Recurse)
            (Get-SbxChildItem -Path tree -Directory).Name | Should -Be @('empty', 'sub')
        }

        It 'keeps names that match -Include and drops those that match -Exclude, at every level' {
            $items = Get-SbxChildItem -Path tree -Recurse -Include *.log, *.txt -Exclude c*
            Sort-Ordinal $items.Path | Should -Be (Sort-Ordinal (Get-ChildItem -LiteralPath $tree -Recurse -Include *.log, *.txt -Exclude c* | ForEach-Object FullName))
            $items.Name | Should -Be @('a.txt', 'b.log', 'd.txt', 'e.log', 'f.txt')
        }

        It 'returns relative names with -Name, as Get-ChildItem -Name does' {
            $names = Get-SbxChildItem -Path tree -Recurse -Name
            $names | ForEach-Object { $_ | Should -BeOfType ([string]) }
            Sort-Ordinal $names | Should -Be (Sort-Ordinal (Get-ChildItem -LiteralPath $tree -Recurse -Name))
            Get-SbxChildItem -Path tree -Name -File | Should -Be @('a.txt', 'b.log', 'c.log')
        }

        It 'refuses -File with -Directory' {
            $caught = $null
            try {
                Get-SbxChildItem -Path tree -File -Directory -ErrorAction SilentlyContinue
            }
            catch {
                $caught = $_
            }
            $caught | Should -Not -BeNullOrEmpty
            $caught.FullyQualifiedErrorId | Should -Be 'FileAndDirectory,ScaleBox.Sandbox.Commands.GetSbxChildItemCommand'
            $caught.CategoryInfo.Category | Should -Be 'InvalidArgument'
        }
    }

    Context 'the pipeline' {
        It 'feeds Remove-SbxItem: Get-SbxChildItem dir -Filter *.log | Remove-SbxItem removes exactly those' {
            $pipe = Join-Path $agent.Home 'pipe'
            New-Item -ItemType Directory -Path (Join-Path $pipe 'keep.d') | Out-Null
            foreach ($file in 'x.log', 'y.log', 'z.txt', 'keep.d/w.log') {
                Set-Content -LiteralPath (Join-Path $pipe $file) -Value $file
            }
            Get-SbxChildItem -Path pipe -Filter *.log | Remove-SbxItem
            Get-OsPath $pipe -Recurse | Should -Be @((Join-Path $pipe 'keep.d'), (Join-Path $pipe 'keep.d/w.log'), (Join-Path $pipe 'z.txt'))
        }

        It 'lists piped directories side by side, writing each listing, error or file at its position' {
            # Two listings at once need two connections: a new session's pool then holds two, one with -ThrottleLimit 1.
            $own = Start-TestAgent
            try {
                $dirs = foreach ($i in 1..6) {
                    $dir = New-Item -ItemType Directory -Path (Join-Path $own.Home "many/d$i") -Force
                    Set-Content -LiteralPath (Join-Path $dir.FullName "f$i.txt") -Value $i
                    $dir.FullName
                }
                $paths = @($dirs[0..2]) + @((Join-Path $own.Home 'many/missing'), (Join-Path $own.Home 'many/d4/f4.txt')) + @($dirs[4..5])
                $counts = Measure-SessionConnection -Agent $own -Variant 16, 1 -Script {
                    param($counted, $own, $limit)
                    $out = $paths | Get-SbxChildItem -ThrottleLimit $limit -Session $counted -ErrorAction Continue 2>&1
                    $out | ForEach-Object { if ($_ -is [System.Management.Automation.ErrorRecord]) { "error: $($_.TargetObject)" } else { $_.Name } } |
                        Should -Be @('f1.txt', 'f2.txt', 'f3.txt', "error: $(Join-Path $own.Home 'many/missing')", 'f4.txt', 'f5.txt', 'f6.txt')
                }
                $counts[0] | Should -BeGreaterThan 1
                $counts[1] | Should -Be 1
            }
            finally {
                Stop-TestAgent $own
            }
        }

        It 'stops the listing early with Select-Object -First 1' {
            $first = Get-SbxChildItem -Path tree -Recurse -ErrorVariable err | Select-Object -First 1
            @($first) | Should -HaveCount 1
            $first.Name | Should -Be 'empty'
            $err | Should -BeNullOrEmpty
        }
    }

    Context 'errors' {
        It 'reports a missing directory as ObjectNotFound with the path as target' {
            $out = Get-SbxChildItem -Path tree/missing -ErrorAction SilentlyContinue -ErrorVariable err
            $out | Should -BeNullOrEmpty
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -Be 'NotFound,ScaleBox.Sandbox.Commands.GetSbxChildItemCommand'
            $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err[0].TargetObject | Should -Be 'tree/missing'
        }

        It 'goes on with the next directory after a missing one' {
            $out = Get-SbxChildItem -Path tree/missing, tree/sub -ErrorAction SilentlyContinue -ErrorVariable err
            $out.Name | Should -Be @('deeper', 'd.txt')
            $err | Should -HaveCount 1
        }
    }
}

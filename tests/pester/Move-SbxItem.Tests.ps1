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

    function Get-LocalContent([string] $Path) {
        Get-Content -LiteralPath (Join-Path $agent.Home $Path) -Raw
    }

    function Test-Local([string] $Path) {
        Test-Path -LiteralPath (Join-Path $agent.Home $Path)
    }
}

AfterAll {
    Get-SbxSession | Remove-SbxSession
    if ($agent) { Stop-TestAgent $agent }
}

Describe 'Move-SbxItem' -Tag Smoke {
    Context 'renaming and moving' {
        It 'renames a file' {
            $null = New-LocalFile 'rename/old.txt' 'payload'
            $out = Move-SbxItem -Path rename/old.txt -Destination rename/new.txt
            $out | Should -BeNullOrEmpty
            Test-Local 'rename/old.txt' | Should -BeFalse
            Get-LocalContent 'rename/new.txt' | Should -Be 'payload'
        }

        It 'renames a directory with what it holds' {
            $null = New-LocalFile 'rendir/before/inner.txt' 'inner'
            Move-SbxItem -Path rendir/before -Destination rendir/after
            Test-Local 'rendir/before' | Should -BeFalse
            Get-LocalContent 'rendir/after/inner.txt' | Should -Be 'inner'
        }

        It 'takes -Path and -Destination by position' {
            $null = New-LocalFile 'positional/a.txt' 'a'
            Move-SbxItem positional/a.txt positional/b.txt
            Get-LocalContent 'positional/b.txt' | Should -Be 'a'
        }

        It 'moves a file into an existing directory' {
            $null = New-LocalFile 'into/file.txt' 'moved'
            New-Item -ItemType Directory -Path (Join-Path $agent.Home 'into/target') | Out-Null
            Move-SbxItem -Path into/file.txt -Destination into/target
            Test-Local 'into/file.txt' | Should -BeFalse
            Get-LocalContent 'into/target/file.txt' | Should -Be 'moved'
        }

        It 'moves a directory into an existing directory' {
            $null = New-LocalFile 'dirinto/src/x.txt' 'x'
            New-Item -ItemType Directory -Path (Join-Path $agent.Home 'dirinto/dest') | Out-Null
            Move-SbxItem -Path dirinto/src -Destination dirinto/dest
            Test-Local 'dirinto/src' | Should -BeFalse
            Get-LocalContent 'dirinto/dest/src/x.txt' | Should -Be 'x'
        }

        It 'creates the destination''s parents' {
            $null = New-LocalFile 'parents/f.txt' 'f'
            Move-SbxItem -Path parents/f.txt -Destination parents/new/deeper/f.txt
            Get-LocalContent 'parents/new/deeper/f.txt' | Should -Be 'f'
        }

        It 'moves every match of a wildcard into a directory' {
            $null = New-LocalFile 'wild/a.log' 'a'
            $null = New-LocalFile 'wild/b.log' 'b'
            $null = New-LocalFile 'wild/c.txt' 'c'
            New-Item -ItemType Directory -Path (Join-Path $agent.Home 'wild/logs') | Out-Null
            Move-SbxItem -Path 'wild/*.log' -Destination wild/logs
            (Get-ChildItem -LiteralPath (Join-Path $agent.Home 'wild/logs')).Name | Sort-Object | Should -Be @('a.log', 'b.log')
            Test-Local 'wild/c.txt' | Should -BeTrue
        }

        It 'moves a name with brackets given with -LiteralPath' {
            $null = New-LocalFile 'lit/a[1].txt' 'brackets'
            $null = New-LocalFile 'lit/a1.txt' 'plain'
            Move-SbxItem -LiteralPath 'lit/a[1].txt' -Destination lit/moved.txt
            Get-LocalContent 'lit/moved.txt' | Should -Be 'brackets'
            Get-LocalContent 'lit/a1.txt' | Should -Be 'plain'
        }

        It 'moves the very item piped to it, even when its name looks like a wildcard' {
            # SandboxItem.Path binds to -Path (wildcards) by property name: 'a[1].txt' then means 'a1.txt'.
            $null = New-LocalFile 'pipelit/a[1].txt' 'brackets'
            $null = New-LocalFile 'pipelit/a1.txt' 'plain'
            Get-SbxItem -LiteralPath 'pipelit/a[1].txt' | Move-SbxItem -Destination pipelit/moved.txt
            Get-LocalContent 'pipelit/moved.txt' | Should -Be 'brackets'
            Get-LocalContent 'pipelit/a1.txt' | Should -Be 'plain'
        }

        It 'moves items piped from Get-SbxChildItem' {
            $null = New-LocalFile 'piped/one.tmp' '1'
            $null = New-LocalFile 'piped/two.tmp' '2'
            $null = New-LocalFile 'piped/keep.txt' 'k'
            New-Item -ItemType Directory -Path (Join-Path $agent.Home 'piped-out') | Out-Null
            Get-SbxChildItem -Path piped -Filter *.tmp | Move-SbxItem -Destination piped-out
            (Get-ChildItem -LiteralPath (Join-Path $agent.Home 'piped-out')).Name | Sort-Object | Should -Be @('one.tmp', 'two.tmp')
            (Get-ChildItem -LiteralPath (Join-Path $agent.Home 'piped')).Name | Should -Be @('keep.txt')
        }
    }

    Context 'an existing destination' {
        It 'refuses to replace an existing file without -Force' {
            $null = New-LocalFile 'clash/src.txt' 'new'
            $null = New-LocalFile 'clash/dst.txt' 'old'
            $out = Move-SbxItem -Path clash/src.txt -Destination clash/dst.txt -PassThru -ErrorAction SilentlyContinue -ErrorVariable err
            $out | Should -BeNullOrEmpty
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -Be 'DestinationExists,ScaleBox.Sandbox.Commands.MoveSbxItemCommand'
            $err[0].CategoryInfo.Category | Should -Be 'ResourceExists'
            $err[0].Exception.Message | Should -Match '-Force'
            Get-LocalContent 'clash/src.txt' | Should -Be 'new'
            Get-LocalContent 'clash/dst.txt' | Should -Be 'old'
        }

        It 'refuses to replace a file of the same name inside a destination directory without -Force' {
            $null = New-LocalFile 'clash2/f.txt' 'new'
            $null = New-LocalFile 'clash2/dir/f.txt' 'old'
            Move-SbxItem -Path clash2/f.txt -Destination clash2/dir -ErrorAction SilentlyContinue -ErrorVariable err
            $err[0].CategoryInfo.Category | Should -Be 'ResourceExists'
            Get-LocalContent 'clash2/f.txt' | Should -Be 'new'
            Get-LocalContent 'clash2/dir/f.txt' | Should -Be 'old'
        }

        It 'replaces an existing file with -Force' {
            $null = New-LocalFile 'force/src.txt' 'new'
            $null = New-LocalFile 'force/dst.txt' 'old'
            Move-SbxItem -Path force/src.txt -Destination force/dst.txt -Force -ErrorVariable err
            $err | Should -BeNullOrEmpty
            Test-Local 'force/src.txt' | Should -BeFalse
            Get-LocalContent 'force/dst.txt' | Should -Be 'new'
        }
    }

    Context '-PassThru and -WhatIf' {
        It 'outputs the moved item only with -PassThru' {
            $null = New-LocalFile 'pass/a.txt' 'abc'
            Move-SbxItem -Path pass/a.txt -Destination pass/b.txt | Should -BeNullOrEmpty
            $item = Move-SbxItem -Path pass/b.txt -Destination pass/c.txt -PassThru
            @($item) | Should -HaveCount 1
            $item | Should -BeOfType ([ScaleBox.Sandbox.Client.Files.SandboxItem])
            $item.Name | Should -Be 'c.txt'
            $item.Path | Should -Be (Join-Path $agent.Home 'pass/c.txt')
            $item.Length | Should -Be 3
        }

        It 'outputs the item at its new place when moved into a directory with -PassThru' {
            $null = New-LocalFile 'pass2/a.txt' 'abc'
            New-Item -ItemType Directory -Path (Join-Path $agent.Home 'pass2/box') | Out-Null
            (Move-SbxItem -Path pass2/a.txt -Destination pass2/box -PassThru).Path | Should -Be (Join-Path $agent.Home 'pass2/box/a.txt')
        }

        It 'moves nothing with -WhatIf' {
            $null = New-LocalFile 'whatif/a.txt' 'stay'
            $out = Move-SbxItem -Path whatif/a.txt -Destination whatif/b.txt -PassThru -WhatIf
            $out | Should -BeNullOrEmpty
            Get-LocalContent 'whatif/a.txt' | Should -Be 'stay'
            Test-Local 'whatif/b.txt' | Should -BeFalse
        }
    }

    Context 'many items' {
        BeforeAll {
            function New-ManyFiles([string] $Root) {
                <# 60 files in $Root/a and 60 in $Root/b; names 41 to 60 are in both, with different content. #>
                foreach ($i in 1..60) {
                    $null = New-LocalFile ('{0}/a/f{1:D2}.txt' -f $Root, $i) "a$i"
                    $null = New-LocalFile ('{0}/b/f{1:D2}.txt' -f $Root, ($i + 40)) "b$($i + 40)"
                }
                New-Item -ItemType Directory -Path (Join-Path $agent.Home "$Root/into") | Out-Null
                # By name, a's before b's: the two of one name come one right after the other, so
                # without care their moves would run side by side.
                @(Get-SbxChildItem -Path "$Root/a" -File) + @(Get-SbxChildItem -Path "$Root/b" -File) | Sort-Object Name, Path
            }

        }

        It 'moves 120 piped files into a directory, refusing the second of each name, in order, with -ThrottleLimit <Limit>' -ForEach @(
            @{ Limit = 1 }, @{ Limit = 16 }, @{ Limit = 64 }
        ) {
            $root = "many-$Limit"
            $items = New-ManyFiles $root
            $into = Join-Path $agent.Home "$root/into"
            $out = $items | Move-SbxItem -Destination "$root/into" -PassThru -ThrottleLimit $Limit -ErrorAction Continue 2>&1

            $expected = foreach ($item in $items) {
                $target = "$into/$($item.Name)"
                if ($item.Path -like '*/b/*' -and [int]($item.Name -replace '\D') -le 60) { "ERROR DestinationExists $target" } else { $target }
            }
            @(ConvertTo-ComparableOutput $out) | Should -Be @($expected)
            (Get-ChildItem -LiteralPath $into).Count | Should -Be 100
            foreach ($i in 1..60) { Get-LocalContent ('{0}/into/f{1:D2}.txt' -f $root, $i) | Should -Be "a$i" }
            foreach ($i in 61..100) { Get-LocalContent ('{0}/into/f{1:D2}.txt' -f $root, $i) | Should -Be "b$i" }
            @(Get-ChildItem -LiteralPath (Join-Path $agent.Home "$root/b")).Count | Should -Be 20 -Because 'the refused ones stay'
        }

        It 'replaces with -Force: the second of each name moved after the first, as one at a time would' {
            $items = New-ManyFiles many-force
            $items | Move-SbxItem -Destination many-force/into -Force -ErrorVariable err
            $err | Should -BeNullOrEmpty
            foreach ($i in 1..40) { Get-LocalContent ('many-force/into/f{0:D2}.txt' -f $i) | Should -Be "a$i" }
            foreach ($i in 41..100) { Get-LocalContent ('many-force/into/f{0:D2}.txt' -f $i) | Should -Be "b$i" }
            @(Get-ChildItem -LiteralPath (Join-Path $agent.Home 'many-force/a')).Count + @(Get-ChildItem -LiteralPath (Join-Path $agent.Home 'many-force/b')).Count | Should -Be 0
        }

        It 'refuses, even with -Force, to move a piped file onto a directory of its name, which the failed rename then finds' {
            $null = New-LocalFile 'onto-dir/into/clash.txt/inside.txt' 'inside'
            $null = New-LocalFile 'onto-dir/clash.txt' 'file'
            $null = New-LocalFile 'onto-dir/other.txt' 'other'
            Get-SbxItem -LiteralPath onto-dir/clash.txt, onto-dir/other.txt |
                Move-SbxItem -Destination onto-dir/into -Force -ErrorAction SilentlyContinue -ErrorVariable err
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'DestinationExists*'
            $err[0].Exception.Message | Should -Match 'a directory already exists'
            Get-LocalContent 'onto-dir/clash.txt' | Should -Be 'file'
            Get-LocalContent 'onto-dir/into/clash.txt/inside.txt' | Should -Be 'inside'
            Get-LocalContent 'onto-dir/into/other.txt' | Should -Be 'other'
        }

        It 'looks at the destination again after a move made it: a directory renamed there, then files into it' {
            New-Item -ItemType Directory -Path (Join-Path $agent.Home 'made/dir') -Force | Out-Null
            $null = New-LocalFile 'made/one.txt' '1'
            $null = New-LocalFile 'made/two.txt' '2'
            $items = Get-SbxItem -LiteralPath made/dir, made/one.txt, made/two.txt
            $out = $items | Move-SbxItem -Destination made/new -PassThru
            $out.Path | Should -Be @((Join-Path $agent.Home 'made/new'), (Join-Path $agent.Home 'made/new/one.txt'), (Join-Path $agent.Home 'made/new/two.txt'))
            Get-LocalContent 'made/new/two.txt' | Should -Be '2'
        }

        It 'moves a wildcard''s matches into a directory, and a file then a directory of one name in order' {
            foreach ($i in 1..30) { $null = New-LocalFile ('wild/src/w{0:D2}.log' -f $i) "w$i" }
            $null = New-LocalFile 'wild/other/w05.log' 'second'
            New-Item -ItemType Directory -Path (Join-Path $agent.Home 'wild/into') | Out-Null
            Move-SbxItem -Path wild/src/*.log, wild/other/w05.log -Destination wild/into -ErrorAction SilentlyContinue -ErrorVariable err
            @(Get-ChildItem -LiteralPath (Join-Path $agent.Home 'wild/into')).Count | Should -Be 30
            $err | Should -HaveCount 1
            $err[0].TargetObject | Should -Be (Join-Path $agent.Home 'wild/into/w05.log')
            Get-LocalContent 'wild/into/w05.log' | Should -Be 'w5'
        }
    }

    Context 'paths given as strings, looked up with their moves' {
        BeforeAll {
            function New-StringsSources([string] $Root) {
                <# The sources, as paths relative to the home, in the order they are given; -Destination is "$Root/into". #>
                foreach ($i in 1..50) { $null = New-LocalFile ('{0}/src/f{1:D2}.txt' -f $Root, $i) "f$i" }
                foreach ($i in 5..15) { $null = New-LocalFile ('{0}/other/f{1:D2}.txt' -f $Root, ($i * 3)) 'second' }
                $null = New-LocalFile "$Root/into/taken.txt" 'was there'
                $null = New-LocalFile "$Root/src/taken.txt" 'refused'
                $null = New-LocalFile "$Root/src/dir/inside.txt" 'inside'
                $null = New-LocalFile "$Root/src/br[1].txt" 'brackets'
                # Each file of other/ right after the file of its name in src/, and one source twice:
                # adjacent, so that without care they would go side by side.
                $given = foreach ($i in 1..50) {
                    'src/f{0:D2}.txt' -f $i
                    if ($i % 3 -eq 0 -and $i -ge 15 -and $i -le 45) { 'other/f{0:D2}.txt' -f $i }
                    if ($i -eq 10) { 'src/missing.txt' }
                    if ($i -eq 11) { 'src/f11.txt' }
                    if ($i -eq 25) { 'src/taken.txt'; 'src/dir'; 'src/br[1].txt' }
                }
                $given | ForEach-Object { "$Root/$_" }
            }

            function Get-StringsExpected {
                <# What moving New-StringsSources X one at a time comes to, its root named X. #>
                $into = Join-Path $agent.Home 'X/into'
                foreach ($i in 1..50) {
                    '{0}/f{1:D2}.txt' -f $into, $i
                    if ($i % 3 -eq 0 -and $i -ge 15 -and $i -le 45) { 'ERROR DestinationExists {0}/f{1:D2}.txt' -f $into, $i }
                    if ($i -eq 10) { 'ERROR NotFound X/src/missing.txt' }
                    if ($i -eq 11) { 'ERROR NotFound X/src/f11.txt' }
                    if ($i -eq 25) { "ERROR DestinationExists $into/taken.txt"; "$into/dir"; "$into/br[1].txt" }
                }
            }
        }

        It 'moves strings into a directory side by side at -ThrottleLimit <Limit> with the outcomes of one at a time' -ForEach @(
            @{ Limit = 1 }, @{ Limit = 16 }, @{ Limit = 64 }
        ) {
            # The same one at a time: with -Verbose, each source is looked up on its own before its move.
            $reference = New-StringsSources "move-ref-$Limit"
            $expected = @(ConvertTo-ComparableOutput (Move-SbxItem -LiteralPath $reference -Destination "move-ref-$Limit/into" -PassThru -Verbose -ErrorAction Continue 2>&1 4>$null)) -replace "move-ref-$Limit", 'X'
            $given = New-StringsSources "move-$Limit"
            $actual = @(ConvertTo-ComparableOutput (Move-SbxItem -LiteralPath $given -Destination "move-$Limit/into" -PassThru -ThrottleLimit $Limit -ErrorAction Continue 2>&1)) -replace "move-$Limit", 'X'

            $expected | Should -Be @(Get-StringsExpected)
            $actual | Should -Be $expected
            foreach ($i in 15, 30, 45) { Get-LocalContent ('move-{0}/into/f{1:D2}.txt' -f $Limit, $i) | Should -Be "f$i" }
            Get-LocalContent "move-$Limit/into/taken.txt" | Should -Be 'was there'
            Get-LocalContent "move-$Limit/into/dir/inside.txt" | Should -Be 'inside'
            (Get-ChildItem -LiteralPath (Join-Path $agent.Home "move-$Limit/src")).Name | Should -Be 'taken.txt'
            @(Get-ChildItem -LiteralPath (Join-Path $agent.Home "move-$Limit/other")).Count | Should -Be 11 -Because 'the refused ones stay'
        }

        It 'moves a directory that holds the destination, given among strings, as one at a time would (an error)' {
            $null = New-LocalFile 'holds/a.txt'
            $null = New-LocalFile 'holds/inner/into/keep.txt'
            Move-SbxItem -LiteralPath holds/a.txt, holds/inner -Destination holds/inner/into -ErrorAction SilentlyContinue -ErrorVariable err
            $err | Should -HaveCount 1
            Test-Local 'holds/inner/into/a.txt' | Should -BeTrue
            Test-Local 'holds/inner/into/keep.txt' | Should -BeTrue
        }

        It 'moves many at once into a directory, where -Verbose (each looked up before it is named) takes one connection' {
            $counts = Measure-QuietAndToldConnection -Script {
                param($counted, $own, $verbose)
                $into = New-Item -ItemType Directory -Path "$($own.Home)/into-$verbose"
                Move-SbxItem -LiteralPath (New-NumberedFile "$($own.Home)/$verbose") -Destination $into.FullName -ThrottleLimit 8 -Session $counted -Verbose:$verbose 4>$null
                @(Get-ChildItem -LiteralPath $into.FullName).Count | Should -Be 64
            }
            $counts[0] | Should -BeGreaterThan 1
            $counts[1] | Should -Be 1
        }
    }

    Context 'lookups side by side' {
        # Two requests at once need two connections: a new session's pool then holds two, where
        # -Verbose (each path looked up, then named, then moved) holds one.
        It 'renames a path asking for it and for -Destination side by side' {
            $counts = Measure-QuietAndToldConnection -Script {
                param($counted, $own, $verbose)
                Set-Content -LiteralPath "$($own.Home)/rename-$verbose.txt" -Value 'renamed'
                Move-SbxItem -LiteralPath "rename-$verbose.txt" -Destination "renamed-$verbose.txt" -Session $counted -Verbose:$verbose 4>$null
                Get-Content -LiteralPath "$($own.Home)/renamed-$verbose.txt" | Should -Be 'renamed'
                Test-Path -LiteralPath "$($own.Home)/rename-$verbose.txt" | Should -BeFalse
            }
            # Its name below the new name is asked for too, and let go once it ends by itself (not cut,
            # which would close its connection): three connections.
            $counts | Should -Be @(3, 1)
        }

        It 'moves a path into a directory asking for it, for -Destination and for its name there side by side' {
            $counts = Measure-QuietAndToldConnection -Script {
                param($counted, $own, $verbose)
                $into = New-Item -ItemType Directory -Path "$($own.Home)/into-$verbose"
                Set-Content -LiteralPath "$($own.Home)/moved-$verbose.txt" -Value 'moved'
                Move-SbxItem -LiteralPath "moved-$verbose.txt" -Destination $into.Name -Session $counted -Verbose:$verbose 4>$null
                Get-Content -LiteralPath "$($into.FullName)/moved-$verbose.txt" | Should -Be 'moved'
            }
            $counts | Should -Be @(3, 1)
        }

        It 'heeds what the name asked for alongside finds in the directory: a file replaced only with -Force, a directory never' {
            $null = New-LocalFile 'there/file.txt' 'new'
            $null = New-LocalFile 'there/dir/file.txt' 'old'
            $null = New-LocalFile 'there/sub/keep.txt' 'sub'
            $null = New-LocalFile 'there/dir/sub/inside.txt' 'inside'
            Move-SbxItem -LiteralPath there/sub -Destination there/dir -Force -ErrorAction SilentlyContinue -ErrorVariable err
            $err | Should -HaveCount 1
            $err[0].Exception.Message | Should -Match 'a directory already exists'
            Test-Local 'there/sub/keep.txt' | Should -BeTrue
            Move-SbxItem -LiteralPath there/file.txt -Destination there/dir -Force -ErrorVariable err
            $err | Should -BeNullOrEmpty
            Get-LocalContent 'there/dir/file.txt' | Should -Be 'new'
            Test-Local 'there/file.txt' | Should -BeFalse
        }

        It 'moves paths into a known directory, one at a time, asking for each and for its name there side by side' {
            $counts = Measure-QuietAndToldConnection -Script {
                param($counted, $own, $verbose)
                $into = New-Item -ItemType Directory -Path "$($own.Home)/known-$verbose"
                Set-Content -LiteralPath "$($own.Home)/pattern-$verbose.txt" -Value 'first'
                $named = 1..20 | ForEach-Object { $name = "named-$verbose-$_.txt"; Set-Content -LiteralPath "$($own.Home)/$name" -Value $_; $name }
                # The pattern goes first, alone, and finds the directory; each named path then goes in one step.
                # (A step's second request may still find the first's connection free, but not in each of 20.)
                Move-SbxItem -Path (@("pattern-$verbose.*") + $named) -Destination $into.Name -ThrottleLimit 1 -Session $counted -Verbose:$verbose 4>$null
                @(Get-ChildItem -LiteralPath $into.FullName).Count | Should -Be 21
            }
            $counts[0] | Should -BeGreaterThan 1
            $counts[1] | Should -Be 1
        }
    }

    Context 'errors' {
        It 'reports a missing source as NotFound with the path as target' {
            $out = Move-SbxItem -Path nothing/here.txt -Destination somewhere.txt -PassThru -ErrorAction SilentlyContinue -ErrorVariable err
            $out | Should -BeNullOrEmpty
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -Be 'NotFound,ScaleBox.Sandbox.Commands.MoveSbxItemCommand'
            $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err[0].TargetObject | Should -Be 'nothing/here.txt'
            Test-Local 'somewhere.txt' | Should -BeFalse
        }

        It 'goes on with the next source after a missing one' {
            $null = New-LocalFile 'next/real.txt' 'real'
            New-Item -ItemType Directory -Path (Join-Path $agent.Home 'next/box') | Out-Null
            Move-SbxItem -Path next/missing.txt, next/real.txt -Destination next/box -ErrorAction SilentlyContinue -ErrorVariable err
            $err | Should -HaveCount 1
            Get-LocalContent 'next/box/real.txt' | Should -Be 'real'
        }
    }
}

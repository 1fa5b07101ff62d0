BeforeAll {
    . (Join-Path $PSScriptRoot 'TestAgent.ps1')
    $agent = Start-TestAgent
    $modulePath = Get-TestModulePath
    Import-Module $modulePath -Force
    $session = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token -Name main

    # Fixtures, made with the local file system.
    $dir = Join-Path $agent.Home 'gi'
    New-Item -ItemType Directory -Path (Join-Path $dir 'sub') | Out-Null
    Set-Content -LiteralPath (Join-Path $dir 'file.txt') -Value 'hello world' -NoNewline
    Set-Content -LiteralPath (Join-Path $dir 'other.txt') -Value '12345'
    Set-Content -LiteralPath (Join-Path $dir 'notes.log') -Value 'log'
    Set-Content -LiteralPath (Join-Path $dir 'a[1].txt') -Value 'brackets'
    # A distinctive mode and time, so the comparison is not satisfied by defaults.
    $fileLocal = Join-Path $dir 'file.txt'
    & chmod 640 $fileLocal
    (Get-Item -LiteralPath $fileLocal).LastWriteTimeUtc = [datetime]::new(2021, 3, 4, 5, 6, 7, [DateTimeKind]::Utc)
}

AfterAll {
    Get-SbxSession | Remove-SbxSession
    if ($agent) { Stop-TestAgent $agent }
}

Describe 'Get-SbxItem' -Tag Smoke {
    Context 'a file' {
        BeforeAll {
            $item = Get-SbxItem -Path gi/file.txt
            $os = Get-Item -LiteralPath $fileLocal
        }

        It 'returns one SandboxItem' {
            @($item) | Should -HaveCount 1
            $item | Should -BeOfType ([ScaleBox.Sandbox.Client.Files.SandboxItem])
        }

        It 'has the name, full path and type' {
            $item.Name | Should -Be 'file.txt'
            $item.Path | Should -Be $fileLocal
            $item.DirectoryName | Should -Be $dir
            $item.Type | Should -Be 'File'
            $item.IsDirectory | Should -BeFalse
            $item.LinkTarget | Should -BeNullOrEmpty
            $item.Domain | Should -Be $agent.Domain
        }

        It 'has the length, mode, owner and group the OS reports' {
            $item.Length | Should -Be $os.Length
            $item.Length | Should -Be 11
            $item.UnixMode | Should -Be $os.UnixMode
            $item.UnixMode | Should -Be '-rw-r-----'
            $item.UnixFileMode | Should -Be ([Convert]::ToInt32('640', 8))
            $item.Owner | Should -Be $os.User
            $item.Group | Should -Be $os.Group
        }

        It 'has the last write time the OS reports' {
            $item.LastWriteTimeUtc.UtcDateTime | Should -Be ([datetime]::new(2021, 3, 4, 5, 6, 7, [DateTimeKind]::Utc))
            [math]::Abs(($item.LastWriteTimeUtc.UtcDateTime - $os.LastWriteTimeUtc).TotalSeconds) | Should -BeLessThan 1
            [math]::Abs(($item.LastWriteTime - $os.LastWriteTime).TotalSeconds) | Should -BeLessThan 1
        }

        It 'carries the properties Get-ChildItem users pipe on' {
            $os = Get-Item -LiteralPath $fileLocal
            foreach ($name in 'Name', 'FullName', 'PSIsContainer', 'Extension', 'BaseName', 'Length', 'Mode', 'UnixMode', 'User', 'Group') {
                $item.$name | Should -Be $os.$name -Because "$name is what Get-Item gives for the same file"
            }
        }

        It 'prints as its path' {
            "$item" | Should -Be $fileLocal
        }
    }

    Context 'a directory' {
        It 'has the directory fields the OS reports' {
            $item = Get-SbxItem -Path gi
            $os = Get-Item -LiteralPath $dir
            $item.Name | Should -Be 'gi'
            $item.Path | Should -Be $dir
            $item.Type | Should -Be 'Directory'
            $item.IsDirectory | Should -BeTrue
            $item.UnixMode | Should -Be $os.UnixMode
            $item.UnixMode | Should -BeLike 'd*'
            $item.Owner | Should -Be $os.User
            [math]::Abs(($item.LastWriteTimeUtc.UtcDateTime - $os.LastWriteTimeUtc).TotalSeconds) | Should -BeLessThan 1
        }

        It 'looks like a DirectoryInfo: no Length, so size filters pick files only' {
            $item = Get-SbxItem -Path gi
            $os = Get-Item -LiteralPath $dir
            foreach ($name in 'Name', 'FullName', 'PSIsContainer', 'Extension', 'BaseName', 'Mode') {
                $item.$name | Should -Be $os.$name -Because "$name is what Get-Item gives for the same directory"
            }
            $item.Length | Should -BeNullOrEmpty
            @(Get-SbxItem -Path $dir, $fileLocal | Where-Object Length -gt 1) | ForEach-Object Path | Should -Be $fileLocal
        }

        It 'shows a directory and a file differently in the default view' {
            $text = Get-SbxItem -Path $dir, $fileLocal | Out-String -Width 200
            # As Get-ChildItem on Linux: the mode tells them apart, and only a file has a size.
            $text | Should -Match '(?m)^d[-rwxsStT]{9}\s.*\s\d\d:\d\d\s+gi\s*$'
            $text | Should -Match '(?m)^-[-rwxsStT]{9}\s.*\s11\s+file\.txt\s*$'
        }

        It 'returns the root' {
            $root = Get-SbxItem -Path /
            $root.Path | Should -Be '/'
            $root.Type | Should -Be 'Directory'
        }
    }

    Context 'paths' {
        It 'resolves a relative path against the agent home' {
            (Get-SbxItem -Path gi/other.txt).Path | Should -Be (Join-Path $dir 'other.txt')
            (Get-SbxItem -Path ./gi/../gi/other.txt).Path | Should -Be (Join-Path $dir 'other.txt')
            (Get-SbxItem -Path '~/gi').Path | Should -Be $dir
        }

        It 'takes an absolute path as it is' {
            (Get-SbxItem -Path $fileLocal).Path | Should -Be $fileLocal
        }

        It 'expands a wildcard leaf to every match' {
            $items = Get-SbxItem -Path 'gi/*.txt'
            $expected = Get-ChildItem -LiteralPath $dir -Filter '*.txt' | ForEach-Object Name | Sort-Object
            ($items.Name | Sort-Object) | Should -Be $expected
            $items.Name | Should -Contain 'a[1].txt'
            $items.Name | Should -Not -Contain 'notes.log'
        }

        It 'expands ? and [] wildcards' {
            (Get-SbxItem -Path 'gi/fil?.txt').Name | Should -Be 'file.txt'
            (Get-SbxItem -Path 'gi/[fo]*.txt').Name | Sort-Object | Should -Be @('file.txt', 'other.txt')
        }

        It 'finds a literal name with brackets through -Path when the pattern matches nothing' {
            $item = Get-SbxItem -Path 'gi/a[1].txt'
            $item.Name | Should -Be 'a[1].txt'
            $item.Path | Should -Be (Join-Path $dir 'a[1].txt')
        }

        It 'finds a literal name with brackets through -LiteralPath' {
            $item = Get-SbxItem -LiteralPath 'gi/a[1].txt'
            $item.Name | Should -Be 'a[1].txt'
            $item.Length | Should -Be (Get-Item -LiteralPath (Join-Path $dir 'a[1].txt')).Length
        }

        It 'does not expand wildcards in -LiteralPath' {
            $out = Get-SbxItem -LiteralPath 'gi/*.txt' -ErrorAction SilentlyContinue -ErrorVariable err
            $out | Should -BeNullOrEmpty
            $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        }

        It 'reads piped items again from the sandbox' {
            $local = Join-Path $dir 'growing.txt'
            Set-Content -LiteralPath $local -Value 'a' -NoNewline
            $before = Get-SbxItem -Path gi/growing.txt
            $before.Length | Should -Be 1
            Set-Content -LiteralPath $local -Value 'abcdef' -NoNewline
            ($before | Get-SbxItem).Length | Should -Be 6
        }

        It 'takes a piped item with brackets in its name literally' {
            Set-Content -LiteralPath (Join-Path $dir 'b1.txt') -Value 'plain'
            Set-Content -LiteralPath (Join-Path $dir 'b[1].txt') -Value 'brackets'
            $item = Get-SbxItem -LiteralPath 'gi/b[1].txt' | Get-SbxItem
            $item.Name | Should -Be 'b[1].txt'
        }

        It 'handles names with spaces, quotes, # and non-ASCII characters' {
            foreach ($name in 'with space.txt', "it's.txt", 'hash#1.txt', 'ünï-😀.txt') {
                Set-Content -LiteralPath (Join-Path $dir $name) -Value 'x'
                $item = Get-SbxItem -LiteralPath "gi/$name"
                $item.Name | Should -Be $name
                $item.Path | Should -Be (Join-Path $dir $name)
                (Get-SbxItem -Path "gi/$name").Name | Should -Be $name
            }
        }

        It 'takes several paths and pipeline input' {
            (Get-SbxItem -Path gi/file.txt, gi/sub).Name | Should -Be @('file.txt', 'sub')
            ('gi/other.txt', 'gi/sub' | Get-SbxItem).Name | Should -Be @('other.txt', 'sub')
            ([pscustomobject]@{ FullName = $fileLocal } | Get-SbxItem).Name | Should -Be 'file.txt'
        }
    }

    Context 'errors' {
        It 'reports a missing path as ObjectNotFound with the path as target' {
            $out = Get-SbxItem -Path gi/missing.txt -ErrorAction SilentlyContinue -ErrorVariable err
            $out | Should -BeNullOrEmpty
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -Be 'NotFound,ScaleBox.Sandbox.Commands.GetSbxItemCommand'
            $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err[0].TargetObject | Should -Be 'gi/missing.txt'
            $err[0].Exception.Message | Should -Match ([regex]::Escape('gi/missing.txt'))
        }

        It 'goes on with the next path after a missing one (non-terminating)' {
            $out = Get-SbxItem -Path gi/missing.txt, gi/file.txt, gi/also-missing -ErrorAction SilentlyContinue -ErrorVariable err
            $out.Name | Should -Be 'file.txt'
            $err | Should -HaveCount 2
            $err.TargetObject | Should -Be @('gi/missing.txt', 'gi/also-missing')
        }

        It 'reports a wildcard in a missing directory as not found' {
            $out = Get-SbxItem -Path 'nodir/*.txt' -ErrorAction SilentlyContinue -ErrorVariable err
            $out | Should -BeNullOrEmpty
            $err | Should -HaveCount 1
            $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err[0].TargetObject | Should -Be 'nodir/*.txt'
        }

        It 'stops with -ErrorAction Stop' {
            { Get-SbxItem -Path gi/missing.txt -ErrorAction Stop } | Should -Throw -ErrorId 'NotFound,*'
        }
    }

    Context 'many paths in flight (-ThrottleLimit)' {
        BeforeAll {
            # 200 paths, every seventh missing: output and errors must come back in this order.
            $many = Join-Path $agent.Home 'many'
            New-Item -ItemType Directory -Path $many | Out-Null
            $paths = foreach ($i in 0..199) {
                $name = 'f{0:000}.txt' -f $i
                if ($i % 7 -ne 3) { Set-Content -LiteralPath (Join-Path $many $name) -Value ('x' * $i) -NoNewline }
                "many/$name"
            }

            function Assert-InputOrder([object[]] $Out) {
                $Out | Should -HaveCount 200
                for ($i = 0; $i -lt 200; $i++) {
                    if ($i % 7 -eq 3) {
                        $Out[$i] | Should -BeOfType ([System.Management.Automation.ErrorRecord]) -Because "$($paths[$i]) is missing"
                        $Out[$i].TargetObject | Should -Be $paths[$i]
                        $Out[$i].FullyQualifiedErrorId | Should -Be 'NotFound,ScaleBox.Sandbox.Commands.GetSbxItemCommand'
                    }
                    else {
                        $Out[$i] | Should -BeOfType ([ScaleBox.Sandbox.Client.Files.SandboxItem])
                        $Out[$i].Path | Should -Be (Join-Path $agent.Home $paths[$i])
                        $Out[$i].Length | Should -Be $i
                    }
                }
            }
        }

        It 'writes 200 piped paths in their order, errors at the positions of the missing ones (<Name>)' -ForEach @(
            @{ Name = 'default limit'; Limit = $null }, @{ Name = '-ThrottleLimit 1'; Limit = 1 }, @{ Name = '-ThrottleLimit 64'; Limit = 64 }
        ) {
            $limit = if ($Limit) { @{ ThrottleLimit = $Limit } } else { @{} }
            # 2>&1 merges the two streams in the order they were written; Continue, whatever the runner's preference.
            $out = $paths | Get-SbxItem @limit -ErrorAction Continue 2>&1
            Assert-InputOrder $out
        }

        It 'keeps the order of an array given to -Path and -LiteralPath' {
            Assert-InputOrder (Get-SbxItem -Path $paths -ThrottleLimit 64 -ErrorAction Continue 2>&1)
            Assert-InputOrder (Get-SbxItem -LiteralPath $paths -ErrorAction Continue 2>&1)
        }

        It 'keeps wildcard paths among literal ones, each expanded at its position' {
            $out = 'many/f000.txt', 'many/f00[12].txt', 'many/f003.txt', 'many/f01?.txt', 'many/f004.txt' | Get-SbxItem -ThrottleLimit 8 -ErrorAction Continue 2>&1
            $names = $out | ForEach-Object { if ($_ -is [System.Management.Automation.ErrorRecord]) { "error:$($_.TargetObject)" } else { $_.Name } }
            $expectedTens = 10..19 | Where-Object { $_ % 7 -ne 3 } | ForEach-Object { 'f{0:000}.txt' -f $_ }
            $names | Should -Be (@('f000.txt', 'f001.txt', 'f002.txt', 'error:many/f003.txt') + $expectedTens + 'f004.txt')
        }

        It 'refreshes piped items in their order' {
            $items = Get-SbxItem -Path 'many/f00*.txt' | Sort-Object Name -Descending
            ($items | Get-SbxItem -ThrottleLimit 4).Name | Should -Be $items.Name
        }

        It 'ends early under Select-Object -First, even with endless input' {
            $run = Start-InRunspace -Script '& { while ($true) { "many/f000.txt"; "many/f001.txt" } } | Get-SbxItem -ThrottleLimit 16 | Select-Object -First 3 | ForEach-Object Name'
            try {
                $run.Async.AsyncWaitHandle.WaitOne(20000) | Should -BeTrue -Because 'the pipeline ends after three items'
                $run.PowerShell.EndInvoke($run.Async) | Out-Null
                $run.Output | Should -Be @('f000.txt', 'f001.txt', 'f000.txt')
                $run.PowerShell.HadErrors | Should -BeFalse
            }
            finally {
                $run.PowerShell.Dispose()
            }
        }

        It 'stops with -ErrorAction Stop at the first missing path, after the ones before it' {
            $out = [System.Collections.Generic.List[object]]::new()
            { $paths | Get-SbxItem -ErrorAction Stop | ForEach-Object { $out.Add($_) } } | Should -Throw -ErrorId 'NotFound,*'
            $out.Name | Should -Be @('f000.txt', 'f001.txt', 'f002.txt')
        }

        It 'with -ThrottleLimit 1 reads each path only after the previous output went down the pipeline' {
            $once = Join-Path $many 'once.txt'
            Set-Content -LiteralPath $once -Value 'x'
            # The first item's consumer removes the file, so the second read must find it gone.
            $out = 'many/once.txt', 'many/once.txt' | Get-SbxItem -ThrottleLimit 1 -ErrorAction SilentlyContinue -ErrorVariable err |
                ForEach-Object { Remove-Item -LiteralPath $once; $_ }
            @($out).Count | Should -Be 1
            $err | Should -HaveCount 1
            $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        }

        It 'refuses a limit out of 1 to 64' {
            { Get-SbxItem -Path many/f000.txt -ThrottleLimit 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
            { Get-SbxItem -Path many/f000.txt -ThrottleLimit 65 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
        }
    }

    Context 'Ctrl+C with stats in flight' {
        It 'cancels the requests in flight at once, though the agent never answers' {
            # An agent of its own, frozen (SIGSTOP): its socket still accepts, but no stat is ever answered.
            $frozen = Start-TestAgent
            try {
                # The paths come through the runspace's input, given only once the agent is frozen.
                $script = 'param($Module, $Domain, $Token) Import-Module $Module
                    $slow = New-SbxSession -Domain $Domain -AccessToken $Token -TimeoutSec 600
                    $null = Get-SbxItem -LiteralPath / -Session $slow
                    "connected"
                    $input | Get-SbxItem -Session $slow -ThrottleLimit 16'
                $ps = [powershell]::Create()
                $null = $ps.AddScript($script).AddArgument($modulePath).AddArgument($frozen.Domain).AddArgument($frozen.Token)
                $in = [System.Management.Automation.PSDataCollection[psobject]]::new()
                $out = [System.Management.Automation.PSDataCollection[psobject]]::new()
                $async = $ps.BeginInvoke($in, $out)
                Wait-Until { $out.Count -gt 0 -or $async.IsCompleted } -TimeoutSec 30
                # Indexed, not enumerated: enumerating an open PSDataCollection waits for its end.
                $out[0] | Should -Be 'connected'
                & kill -STOP $frozen.Process.Id
                Wait-Until { (Get-Content -LiteralPath "/proc/$($frozen.Process.Id)/stat" -Raw) -match '^\d+ \(.*\) [Tt] ' }
                foreach ($i in 1..100) { $in.Add("/f$i") }
                $in.Complete()
                Start-Sleep -Milliseconds 500
                $async.IsCompleted | Should -BeFalse -Because 'the frozen agent answers no stat'
                $stop = $ps.BeginStop($null, $null)
                $stop.AsyncWaitHandle.WaitOne(15000) | Should -BeTrue -Because 'stopping cancels the stats in flight (the session would wait 600 s)'
                $out.Count | Should -Be 1 -Because 'the frozen agent answered no stat'
            }
            finally {
                if ($frozen) {
                    & kill -CONT $frozen.Process.Id
                    Stop-TestAgent $frozen
                }
                if ($ps) { $ps.Dispose() }
            }
        }
    }

    Context 'format view' {
        It 'shows a Get-ChildItem-like table with the mode, the name and a Directory: header' {
            $text = Get-SbxItem -Path gi/file.txt | Out-String
            $text | Should -Match ([regex]::Escape("Directory: $dir"))
            $text | Should -Match 'UnixMode\s+User\s+Group\s+LastWriteTime\s+Size\s+Name'
            $user = (Get-Item -LiteralPath $fileLocal).User
            $text | Should -Match ('-rw-r-----\s+' + [regex]::Escape($user) + '\s.*\s11\s+file\.txt')
        }

        It 'groups items by directory and leaves the size of a directory empty' {
            $text = Get-SbxItem -Path gi/sub, gi/other.txt | Out-String
            $text | Should -Match ([regex]::Escape("Directory: $dir"))
            $text | Should -Match 'drwx\S*\s+\S+\s+\S+\s+\S+\s\S+\s+sub'
        }

        It 'has a list view with the fields' {
            $text = Get-SbxItem -Path gi/file.txt | Format-List | Out-String
            $text | Should -Match 'Name\s+: file\.txt'
            $text | Should -Match ('Path\s+: ' + [regex]::Escape($fileLocal))
            $text | Should -Match 'UnixMode\s+: -rw-r-----'
        }
    }
}

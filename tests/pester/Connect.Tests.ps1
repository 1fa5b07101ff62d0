# Sessions on the Connect protocol (binary and JSON), as the official SDKs speak it, against the
# real local agent: every kind of call a user makes, through the cmdlets.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestAgent.ps1')
    $agent = Start-TestAgent
    $modulePath = (Resolve-Path -LiteralPath (Join-Path $PSScriptRoot '../../out/ScaleBox.Sandbox')).ProviderPath
    Import-Module $modulePath -Force
}

AfterAll {
    Get-SbxSession | Remove-SbxSession
    if ($agent) { Stop-TestAgent $agent }
}

Describe 'A session with -Protocol <Protocol>' -ForEach @(
    @{ Protocol = 'Connect' }, @{ Protocol = 'ConnectJson' }
) {
    BeforeAll {
        $s = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token -Protocol $Protocol -Name "connect-$Protocol"
    }

    AfterAll {
        Remove-SbxSession -Session $s
    }

    It 'says its protocol' {
        $s.Protocol | Should -Be $Protocol
        Test-SbxSession -Session $s | Should -BeTrue
    }

    It 'lists a directory' {
        $folder = New-AgentTestFolder 'list'
        Set-Content -LiteralPath (Join-Path $folder 'a.txt') -Value 'a'
        New-Item -ItemType Directory -Path (Join-Path $folder 'sub') | Out-Null

        $items = Get-SbxChildItem -Path $folder -Session $s | Sort-Object Name

        $items.Name | Should -Be @('a.txt', 'sub')
        $items[0].Type | Should -Be 'File'
        $items[0].Length | Should -Be 2 -Because 'the size is an int64, a string in JSON'
        $items[1].Type | Should -Be 'Directory'
    }

    It 'reports a missing path as not found' {
        Get-SbxItem -Path (Join-Path $agent.Home 'no-such-thing') -Session $s -ErrorVariable missing -ErrorAction SilentlyContinue
        $missing | Should -HaveCount 1
        $missing[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'runs a process and streams its stdout, stderr and exit' {
        $out = Start-SbxProcess -Command 'echo out1; sleep 0.1; echo err1 >&2; exit 3' -AsRecord -Session $s

        $out[-1] | Should -BeOfType ([ScaleBox.Sandbox.Client.Processes.SandboxProcessExit])
        $out[-1].ExitCode | Should -Be 3
        @($out | Select-Object -SkipLast 1 | ForEach-Object { "$($_.Stream):$($_.Text)" }) | Should -Be @("Stdout:out1`n", "Stderr:err1`n")
    }

    It 'feeds a background process''s stdin and waits for it' {
        $folder = New-AgentTestFolder 'stdin'
        $p = Start-SbxProcess -Command "head -n 2 > '$folder/got.txt'" -Background -Session $s
        Send-SbxProcessInput -Pid $p.Pid -Value "one`n" -Session $s
        Send-SbxProcessInput -Pid $p.Pid -Value ([System.Text.Encoding]::UTF8.GetBytes("twö`n")) -Session $s

        (Wait-SbxProcess -Pid $p.Pid -TimeoutSec 20 -Session $s).ExitCode | Should -Be 0
        [System.IO.File]::ReadAllText((Join-Path $folder 'got.txt')) | Should -Be "one`ntwö`n"
    }

    It 'copies a file in and out' {
        $folder = New-AgentTestFolder 'copy'
        $local = Join-Path $TestDrive "in-$Protocol.bin"
        $bytes = [byte[]]::new(300000)
        [System.Random]::new(7).NextBytes($bytes)
        [System.IO.File]::WriteAllBytes($local, $bytes)

        Copy-SbxItem -ToSandbox -Path $local -Destination "$folder/in.bin" -Session $s
        $back = Join-Path $TestDrive "back-$Protocol.bin"
        Copy-SbxItem -FromSandbox -Path "$folder/in.bin" -Destination $back -Session $s

        # Hashes, not the arrays: Should compares 300000 bytes one by one for a minute.
        $expected = (Get-FileHash -LiteralPath $local).Hash
        (Get-FileHash -LiteralPath (Join-Path $folder 'in.bin')).Hash | Should -Be $expected
        (Get-FileHash -LiteralPath $back).Hash | Should -Be $expected
    }

    It 'streams the changes of a watched directory' {
        $folder = New-AgentTestFolder 'watch'
        $writer = Start-LocalWriter -Folder $folder -Prefix w
        try {
            $events = Get-SbxWatcherEvent -Path $folder -Wait -TimeoutSec 30 -Session $s |
                Where-Object ChangeType -eq 'Create' | Select-Object -First 2
        }
        finally {
            Stop-Process -Id $writer.Id -Force -ErrorAction SilentlyContinue
        }
        $events | Should -HaveCount 2
        $events.Name | ForEach-Object { $_ | Should -Match '^w\d+\.txt$' }
    }

    It 'drains a polled watcher' {
        $folder = New-AgentTestFolder 'poll'
        $watcher = New-SbxWatcher -Path $folder -Session $s
        try {
            Set-Content -LiteralPath (Join-Path $folder 'p.txt') -Value 'p'
            $seen = @()
            Wait-Until { $script:seen += @(Get-SbxWatcherEvent -Watcher $watcher -Session $s); $script:seen.Name -contains 'p.txt' } -TimeoutSec 20
        }
        finally {
            Remove-SbxWatcher -Watcher $watcher -Session $s
        }
    }

    It 'runs code in a kernel, keeping its state' {
        try {
            $context = New-SbxCodeContext -Language python -Session $s -ErrorAction Stop
        }
        catch {
            Set-ItResult -Skipped -Because "no Python kernel in this sandbox ($($_.Exception.Message)); install python3-ipykernel"
            return
        }
        try {
            $out = Invoke-SbxCode "total = 40`nprint('first')`ntotal + 2" -Context $context -Session $s
            $out[0] | Should -Be 'first'
            $out[-1].Text | Should -Be '42'
            (Invoke-SbxCode 'total * 2' -Context $context -Session $s).Text | Should -Be '80'
            Invoke-SbxCode '1/0' -Context $context -Session $s -ErrorVariable failed -ErrorAction SilentlyContinue
            "$($failed[0])" | Should -Match 'ZeroDivisionError'
        }
        finally {
            Remove-SbxCodeContext -Context $context -Session $s -ErrorAction SilentlyContinue
        }
    }

    It 'ends a cmdlet with AuthenticationError for a wrong token, without showing it' {
        $bad = New-SbxSession -Domain $agent.Domain -AccessToken 'not-the-token-5e1f' -Protocol $Protocol -Name "bad-$Protocol"
        try {
            $caught = $null
            try { Get-SbxItem -Path / -Session $bad -ErrorAction SilentlyContinue } catch { $caught = $_ }
        }
        finally {
            Remove-SbxSession -Session $bad
        }
        $caught | Should -Not -BeNullOrEmpty -Because 'a wrong token is a terminating error'
        $caught.CategoryInfo.Category | Should -Be 'AuthenticationError'
        ($caught | Out-String) | Should -Not -Match 'not-the-token-5e1f'
    }
}

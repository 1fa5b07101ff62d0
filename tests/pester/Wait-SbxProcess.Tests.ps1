BeforeAll {
    . (Join-Path $PSScriptRoot 'TestAgent.ps1')
    $agent = Start-TestAgent
    $modulePath = Get-TestModulePath
    Import-Module $modulePath -Force
    # The newest session is the default, so the plain HTTP/1.1 one is made last.
    $grpc = New-SbxSession -Domain $agent.Http2Domain -AccessToken $agent.Token -Protocol Grpc -Name grpc
    # Short, but not so short that a process's start (the answer, due within it) is late on a loaded machine.
    $short = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token -TimeoutSec 2 -Name short
    $session = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token -Name main

}

AfterAll {
    Get-SbxProcess -Session $session -ErrorAction SilentlyContinue | Stop-SbxProcess -Session $session -Force -ErrorAction SilentlyContinue
    Get-SbxSession | Remove-SbxSession
    if ($agent) { Stop-TestAgent $agent }
}

Describe 'Wait-SbxProcess' {
    Context 'exit records' {
        It 'returns the exit record when the process ends' {
            $p = Start-SbxProcess -Command 'sleep 0.3; exit 3' -Background
            $exit = Wait-SbxProcess -Pid $p.Pid
            $exit | Should -BeOfType ([ScaleBox.Sandbox.Client.Processes.SandboxProcessExit])
            $exit.Pid | Should -Be $p.Pid
            $exit.ExitCode | Should -Be 3
            $exit.Exited | Should -BeTrue
            $exit.Status | Should -Be 'exit status 3'
        }

        It 'leaves $LASTEXITCODE alone' {
            $p = Start-SbxProcess -Command 'exit 5' -Background
            $global:LASTEXITCODE = 123
            (Wait-SbxProcess -Pid $p.Pid).ExitCode | Should -Be 5
            $global:LASTEXITCODE | Should -Be 123
        }

        It 'returns only the exit record, not the output' {
            $p = Start-SbxProcess -Command 'sleep 0.3; echo out; echo err >&2' -Background
            $out = @(Wait-SbxProcess -Pid $p.Pid)
            $out.Count | Should -Be 1
            $out[0].ExitCode | Should -Be 0
        }

        It 'reports a process ended by a signal' {
            $p = Start-SbxProcess -Command 'exec sleep 60' -Background
            Stop-SbxProcess -Pid $p.Pid -Force
            $exit = Wait-SbxProcess -Pid $p.Pid
            $exit.Exited | Should -BeFalse
            $exit.ExitCode | Should -Be -1
            $exit.Status | Should -BeLike '*signal*killed*'
        }

        It 'returns at once for a process that has already ended' {
            $p = Start-SbxProcess -Command 'exit 5' -Background
            Start-Sleep -Milliseconds 300
            (Wait-SbxProcess -Pid $p.Pid -TimeoutSec 5).ExitCode | Should -Be 5
            (Wait-SbxProcess -Pid $p.Pid -TimeoutSec 5).ExitCode | Should -Be 5 -Because 'the agent remembers an ended process'
        }

        It 'waits for each of several processes, in the order given' {
            $a = Start-SbxProcess -Command 'sleep 0.4; exit 1' -Background
            $b = Start-SbxProcess -Command 'exit 2' -Background
            @(Wait-SbxProcess -Pid $a.Pid, $b.Pid).ExitCode | Should -Be @(1, 2)
        }

        It 'takes processes from the pipeline' {
            $exits = @(
                Start-SbxProcess -Command 'exit 6' -Background
                Start-SbxProcess -Command 'sleep 0.2; exit 7' -Background
            ) | Wait-SbxProcess
            @($exits.ExitCode) | Should -Be @(6, 7)
        }

        It 'selects by -Tag' {
            $null = Start-SbxProcess -Command 'sleep 0.3; exit 8' -Background -Tag 'wait-tag'
            (Wait-SbxProcess -Tag 'wait-tag').ExitCode | Should -Be 8
        }

        It 'puts no deadline of its own on the wait, even with a short session timeout' {
            $p = Start-SbxProcess -Session $short -Command 'sleep 2.5; exit 9' -Background
            $exit = Wait-SbxProcess -Session $short -Pid $p.Pid -ErrorVariable failed
            $failed | Should -BeNullOrEmpty
            $exit.ExitCode | Should -Be 9
        }
    }

    Context '-TimeoutSec' {
        It 'gives up with a WaitTimeout error, leaves the process running, and still returns those that end in time' {
            $long = Start-SbxProcess -Command 'exec sleep 60' -Background -Tag 'too-long'
            $quick = Start-SbxProcess -Command 'exit 4' -Background
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $out = Wait-SbxProcess -Pid $long.Pid, $quick.Pid -TimeoutSec 1 -ErrorVariable failed -ErrorAction SilentlyContinue
            $watch.Stop()
            $watch.Elapsed.TotalSeconds | Should -BeGreaterOrEqual 0.9
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 10
            @($out).Count | Should -Be 1
            $out.Pid | Should -Be $quick.Pid
            $out.ExitCode | Should -Be 4
            $failed.Count | Should -Be 1
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'WaitTimeout,*'
            $failed[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
            $failed[0].TargetObject | Should -Be "pid $($long.Pid)"
            $failed[0].Exception.Message | Should -BeLike '*still running*'
            (Get-SbxProcess -Tag 'too-long').Pid | Should -Be $long.Pid
        }
    }

    Context 'stopping the wait' {
        It 'ends at once when the pipeline is stopped (Ctrl+C) and leaves the process running' {
            $p = Start-SbxProcess -Command 'exec sleep 60' -Background -Tag 'wait-ctrl-c'
            $run = Start-InRunspace "Wait-SbxProcess -Tag 'wait-ctrl-c' -Verbose"
            try {
                Wait-Until { @($run.PowerShell.Streams.Verbose | Where-Object Message -Like 'Using session*').Count -ge 1 } -TimeoutSec 20
                Start-Sleep -Milliseconds 300
                $watch = [System.Diagnostics.Stopwatch]::StartNew()
                $run.PowerShell.Stop()
                $watch.Stop()
                $watch.Elapsed.TotalSeconds | Should -BeLessThan 5
                $run.PowerShell.InvocationStateInfo.State | Should -Be 'Stopped'
                $run.Output | Should -BeNullOrEmpty
            }
            finally {
                $run.PowerShell.Dispose()
            }
            (Get-SbxProcess -Tag 'wait-ctrl-c').Pid | Should -Be $p.Pid
            Stop-SbxProcess -Pid $p.Pid -Force
        }
    }

    Context '-CheckExitCode' {
        It 'throws ProcessExitCode for a non-zero exit with -ErrorAction Stop' {
            $p = Start-SbxProcess -Command 'exit 3' -Background
            $thrown = $null
            try { Wait-SbxProcess -Pid $p.Pid -CheckExitCode -ErrorAction Stop | Out-Null } catch { $thrown = $_ }
            $thrown | Should -Not -BeNullOrEmpty
            $thrown.FullyQualifiedErrorId | Should -BeLike 'ProcessExitCode,*'
            $thrown.TargetObject.ExitCode | Should -Be 3
        }

        It 'throws ProcessSignaled for a killed process' {
            $p = Start-SbxProcess -Command 'exec sleep 60' -Background
            Stop-SbxProcess -Pid $p.Pid -Force
            $thrown = $null
            try { Wait-SbxProcess -Pid $p.Pid -CheckExitCode -ErrorAction Stop | Out-Null } catch { $thrown = $_ }
            $thrown | Should -Not -BeNullOrEmpty
            $thrown.FullyQualifiedErrorId | Should -BeLike 'ProcessSignaled,*'
            $thrown.Exception.Message | Should -BeLike '*signal*'
        }

        It 'is silent for exit code 0' {
            $p = Start-SbxProcess -Command 'exit 0' -Background
            $exit = Wait-SbxProcess -Pid $p.Pid -CheckExitCode -ErrorAction Stop -ErrorVariable failed
            $exit.ExitCode | Should -Be 0
            $failed | Should -BeNullOrEmpty
        }

        It 'writes the exit record and a non-terminating error by default' {
            $p = Start-SbxProcess -Command 'exit 2' -Background
            $exit = Wait-SbxProcess -Pid $p.Pid -CheckExitCode -ErrorVariable failed -ErrorAction SilentlyContinue
            $exit.ExitCode | Should -Be 2
            $failed.Count | Should -Be 1
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'ProcessExitCode,*'
        }
    }

    Context 'errors' {
        It 'writes a not-found error for an unknown pid, with the selector as target' {
            Wait-SbxProcess -Pid 4242424 -ErrorVariable failed -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $failed.Count | Should -Be 1
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'NotFound,*'
            $failed[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $failed[0].TargetObject | Should -Be 'pid 4242424'
        }

        It 'writes a not-found error for an unknown tag' {
            Wait-SbxProcess -Tag 'nope' -ErrorVariable failed -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'NotFound,*'
            $failed[0].TargetObject | Should -Be "tag 'nope'"
        }
    }

    Context 'Grpc protocol' {
        It 'waits over HTTP/2' {
            $p = Start-SbxProcess -Session $grpc -Command 'sleep 0.3; exit 11' -Background
            (Wait-SbxProcess -Session $grpc -Pid $p.Pid).ExitCode | Should -Be 11
        }
    }
}

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

    function Get-Numbers($Records) {
        [int[]] (-split (-join ($Records | Where-Object { $_ -is [ScaleBox.Sandbox.Client.Processes.SandboxProcessOutput] } | ForEach-Object Text)))
    }
}

AfterAll {
    Get-SbxProcess -Session $session -ErrorAction SilentlyContinue | Stop-SbxProcess -Session $session -Force -ErrorAction SilentlyContinue
    Get-SbxSession | Remove-SbxSession
    if ($agent) { Stop-TestAgent $agent }
}

Describe 'Receive-SbxProcess' {
    Context 'records' {
        It 'streams the later output of a running process, then its exit' {
            $p = Start-SbxProcess -Command 'sleep 0.5; echo out1; sleep 0.1; echo err1 >&2; sleep 0.1; echo out2; exit 3' -Background
            $out = Receive-SbxProcess -Pid $p.Pid -AsRecord
            $out[-1] | Should -BeOfType ([ScaleBox.Sandbox.Client.Processes.SandboxProcessExit])
            $out[-1].Pid | Should -Be $p.Pid
            $out[-1].ExitCode | Should -Be 3
            $out[-1].Exited | Should -BeTrue
            @($out | Select-Object -SkipLast 1 | ForEach-Object { "$($_.Stream):$($_.Text)" }) |
                Should -Be @("Stdout:out1`n", "Stderr:err1`n", "Stdout:out2`n")
        }

        It 'does not replay output written before it attached' {
            $p = Start-SbxProcess -Command 'echo early; sleep 0.6; echo late' -Background
            Start-Sleep -Milliseconds 200
            Receive-SbxProcess -Pid $p.Pid -AsText | Should -Be 'late'
        }

        It 'leaves $LASTEXITCODE alone, unlike Start-SbxProcess' {
            # docs/en-US/Receive-SbxProcess.md: "Unlike Start-SbxProcess, the cmdlet does not set $LASTEXITCODE".
            $p = Start-SbxProcess -Command 'sleep 0.6; exit 7' -Background
            $global:LASTEXITCODE = 123
            (Receive-SbxProcess -Pid $p.Pid -AsRecord)[-1].ExitCode | Should -Be 7
            $global:LASTEXITCODE | Should -Be 123
        }

        It 'gives only the exit for a process that has already ended' {
            $p = Start-SbxProcess -Command 'echo gone; exit 6' -Background
            $null = Wait-SbxProcess -Pid $p.Pid
            $out = @(Receive-SbxProcess -Pid $p.Pid -AsRecord)
            $out.Count | Should -Be 1
            $out[0].ExitCode | Should -Be 6
        }

        It 'writes a verbose message when it attaches' {
            $p = Start-SbxProcess -Command 'sleep 0.3' -Background
            $verbose = Receive-SbxProcess -Pid $p.Pid -AsRecord -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
            @($verbose.Message) | Should -Contain "Attached to pid $($p.Pid)."
        }

        It 'attaches to what Start-SbxProcess -Background sends down the pipeline' {
            $out = Start-SbxProcess -Command 'sleep 0.6; echo piped' -Background | Receive-SbxProcess -AsText
            $out | Should -Be 'piped'
        }

        It 'selects by -Tag' {
            $null = Start-SbxProcess -Command 'sleep 0.6; echo tagged; exit 2' -Background -Tag 'recv-tag'
            $out = Receive-SbxProcess -Tag 'recv-tag' -AsRecord
            $out[0].Text | Should -Be "tagged`n"
            $out[-1].ExitCode | Should -Be 2
        }

        It 'puts no deadline of its own on a quiet process, even with a short session timeout' {
            $p = Start-SbxProcess -Session $short -Command 'sleep 2.5; echo done' -Background
            $out = Receive-SbxProcess -Session $short -Pid $p.Pid -AsText -ErrorVariable failed
            $failed | Should -BeNullOrEmpty
            $out | Should -Be 'done'
        }
    }

    Context '-AsText' {
        It 'writes lines by default: stdout to the pipeline, stderr to the error stream as a native command' {
            $p = Start-SbxProcess -Command 'sleep 0.6; echo one; echo oops >&2; echo two' -Background
            $out = Receive-SbxProcess -Pid $p.Pid -ErrorVariable stderr 2>$null
            $out | Should -Be @('one', 'two')
            $stderr.Count | Should -Be 1
            "$($stderr[0])" | Should -Be 'oops'
        }

        It 'joins a character split across chunks' {
            $p = Start-SbxProcess -Command "sleep 0.6; printf '\xe2\x82'; sleep 0.3; printf '\xac!\n'" -Background
            Receive-SbxProcess -Pid $p.Pid -AsText | Should -Be '€!'
        }
    }

    Context '-CheckExitCode' {
        It 'throws ProcessExitCode for a non-zero exit with -ErrorAction Stop' {
            $p = Start-SbxProcess -Command 'sleep 0.3; exit 3' -Background
            $thrown = $null
            try { Receive-SbxProcess -Pid $p.Pid -CheckExitCode -ErrorAction Stop | Out-Null } catch { $thrown = $_ }
            $thrown | Should -Not -BeNullOrEmpty
            $thrown.FullyQualifiedErrorId | Should -BeLike 'ProcessExitCode,*'
            $thrown.TargetObject.ExitCode | Should -Be 3
        }

        It 'throws ProcessSignaled for a killed process' {
            $p = Start-SbxProcess -Command 'sleep 0.6; kill -KILL $$' -Background
            $thrown = $null
            try { Receive-SbxProcess -Pid $p.Pid -CheckExitCode -ErrorAction Stop | Out-Null } catch { $thrown = $_ }
            $thrown | Should -Not -BeNullOrEmpty
            $thrown.FullyQualifiedErrorId | Should -BeLike 'ProcessSignaled,*'
            $thrown.TargetObject.Status | Should -BeLike '*killed*'
        }

        It 'is silent for exit code 0' {
            $p = Start-SbxProcess -Command 'sleep 0.3; echo ok' -Background
            Receive-SbxProcess -Pid $p.Pid -AsText -CheckExitCode -ErrorAction Stop -ErrorVariable failed | Should -Be 'ok'
            $failed | Should -BeNullOrEmpty
        }
    }

    Context 'detaching' {
        It 'ends at Select-Object -First and leaves the process running' {
            $p = Start-SbxProcess -Command 'sleep 0.6; for i in $(seq 1 10); do echo $i; sleep 0.05; done' -Background -Tag 'first-n'
            $errorsBefore = $Error.Count
            $first = Receive-SbxProcess -Pid $p.Pid -AsText | Select-Object -First 2
            $first | Should -Be @('1', '2')
            $Error.Count | Should -Be $errorsBefore
            (Get-SbxProcess -Tag 'first-n').Pid | Should -Be $p.Pid
            $rest = Receive-SbxProcess -Pid $p.Pid -AsRecord
            $rest[-1].ExitCode | Should -Be 0
            (Get-Numbers $rest)[-1] | Should -Be 10
        }

        It 'leaves the process running when the pipeline is stopped (Ctrl+C); a second Receive-SbxProcess gets the rest' {
            # The process counts only once the first Receive-SbxProcess has attached (no output is replayed).
            $go = Join-Path $agent.Home 'ctrl-c.go'
            $p = Start-SbxProcess -Command 'while [ ! -e ctrl-c.go ]; do sleep 0.05; done; for i in $(seq 1 20); do echo $i; sleep 0.1; done' -Background -Tag 'ctrl-c'
            $run = Start-InRunspace "Receive-SbxProcess -Tag 'ctrl-c' -AsText -Verbose"
            try {
                Wait-Until { @($run.PowerShell.Streams.Verbose | Where-Object Message -Like 'Attached to pid*').Count -ge 1 } -TimeoutSec 20
                New-Item -ItemType File -Path $go | Out-Null
                Wait-Until { $run.Output.Count -ge 1 }
                $run.PowerShell.Stop()
                $run.PowerShell.InvocationStateInfo.State | Should -Be 'Stopped'
                $run.Output[0] | Should -Be '1'
                $seen = [int] $run.Output[-1]
            }
            finally {
                $run.PowerShell.Dispose()
            }
            (Get-SbxProcess -Pid $p.Pid).Pid | Should -Be $p.Pid
            $rest = Receive-SbxProcess -Pid $p.Pid -AsRecord
            $rest[-1].ExitCode | Should -Be 0
            $numbers = Get-Numbers $rest
            $numbers[0] | Should -BeGreaterThan $seen
            $numbers | Should -Be ($numbers[0]..20)
        }
    }

    Context 'errors' {
        It 'writes a not-found error for an unknown pid, with the selector as target, and goes on' {
            $p = Start-SbxProcess -Command 'sleep 0.6; exit 1' -Background
            $out = Receive-SbxProcess -Pid 4242424, $p.Pid -AsRecord -ErrorVariable failed -ErrorAction SilentlyContinue
            $out[-1].ExitCode | Should -Be 1
            $failed.Count | Should -Be 1
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'NotFound,*'
            $failed[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $failed[0].TargetObject | Should -Be 'pid 4242424'
        }

        It 'writes a not-found error for an unknown tag' {
            Receive-SbxProcess -Tag 'nope' -ErrorVariable failed -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'NotFound,*'
            $failed[0].TargetObject | Should -Be "tag 'nope'"
        }
    }

    Context 'Grpc protocol' {
        It 'attaches over HTTP/2' {
            $p = Start-SbxProcess -Session $grpc -Command 'sleep 0.6; echo g; exit 12' -Background
            $out = Receive-SbxProcess -Session $grpc -Pid $p.Pid -AsRecord
            $out[0].Text | Should -Be "g`n"
            $out[-1].ExitCode | Should -Be 12
        }
    }
}

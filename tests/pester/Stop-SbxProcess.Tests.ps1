BeforeAll {
    . (Join-Path $PSScriptRoot 'TestAgent.ps1')
    $agent = Start-TestAgent
    $modulePath = Get-TestModulePath
    Import-Module $modulePath -Force
    # The newest session is the default, so the plain HTTP/1.1 one is made last.
    $grpc = New-SbxSession -Domain $agent.Http2Domain -AccessToken $agent.Token -Protocol Grpc -Name grpc
    $session = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token -Name main

    function Test-Running([uint32] $ProcessId) {
        $null -ne (Get-SbxProcess -ErrorAction SilentlyContinue | Where-Object Pid -EQ $ProcessId)
    }
}

AfterAll {
    Get-SbxProcess -Session $session -ErrorAction SilentlyContinue | Stop-SbxProcess -Session $session -Force -ErrorAction SilentlyContinue
    Get-SbxSession | Remove-SbxSession
    if ($agent) { Stop-TestAgent $agent }
}

Describe 'Stop-SbxProcess' {
    Context 'signals' {
        It 'sends SIGTERM: the process ends by the signal' {
            $p = Start-SbxProcess -Command 'exec sleep 60' -Background
            $out = Stop-SbxProcess -Pid $p.Pid
            $out | Should -BeNullOrEmpty
            $exit = Wait-SbxProcess -Pid $p.Pid -TimeoutSec 10
            $exit.Exited | Should -BeFalse
            $exit.ExitCode | Should -Be -1
            $exit.Status | Should -BeLike '*signal*'
            $exit.Status | Should -BeLike '*terminated*'
        }

        It 'sends SIGKILL with -Force, which a process cannot ignore' {
            $p = Start-SbxProcess -Command "trap 'echo ignored TERM' TERM; touch trap-set; while :; do sleep 0.1; done" -Background -Tag 'stubborn'
            Wait-Until { Test-Path -LiteralPath (Join-Path $agent.Home 'trap-set') }
            Stop-SbxProcess -Pid $p.Pid
            Start-Sleep -Milliseconds 500
            Test-Running $p.Pid | Should -BeTrue -Because 'the process ignores SIGTERM'

            Stop-SbxProcess -Pid $p.Pid -Force
            $exit = Wait-SbxProcess -Pid $p.Pid -TimeoutSec 10
            $exit.Exited | Should -BeFalse
            $exit.ExitCode | Should -Be -1
            $exit.Status | Should -BeLike '*signal*'
            $exit.Status | Should -BeLike '*killed*'
        }

        It 'ends the stream of the process it stops' {
            $job = Start-SbxProcess -Command 'echo started; exec sleep 60' -Tag 'streamed' -AsJob -AsRecord
            try {
                Wait-Until { $job.Output.Count -ge 1 }
                Stop-SbxProcess -Tag 'streamed' -Force
                $job | Wait-Job -Timeout 10 | Out-Null
                $job.State | Should -Be 'Completed'
                $out = Receive-Job $job
                $out[-1].Status | Should -BeLike '*killed*'
            }
            finally {
                Remove-Job $job -Force
            }
        }
    }

    Context 'selecting processes' {
        It 'stops by -Tag' {
            $p = Start-SbxProcess -Command 'exec sleep 60' -Background -Tag 'by-tag'
            Stop-SbxProcess -Tag 'by-tag'
            (Wait-SbxProcess -Pid $p.Pid -TimeoutSec 10).Exited | Should -BeFalse
        }

        It 'stops several pids' {
            $a = Start-SbxProcess -Command 'exec sleep 60' -Background
            $b = Start-SbxProcess -Command 'exec sleep 60' -Background
            Stop-SbxProcess -Pid $a.Pid, $b.Pid -Force
            @(Wait-SbxProcess -Pid $a.Pid, $b.Pid -TimeoutSec 10).Status | Should -Be @('signal: killed', 'signal: killed')
        }

        It 'stops what Get-SbxProcess -Tag sends down the pipeline' {
            $a = Start-SbxProcess -Command 'exec sleep 60' -Background -Tag 'batch-1'
            $b = Start-SbxProcess -Command 'exec sleep 60' -Background -Tag 'batch-2'
            $keep = Start-SbxProcess -Command 'exec sleep 60' -Background -Tag 'keep'
            Get-SbxProcess -Tag 'batch-*' | Stop-SbxProcess
            @(Wait-SbxProcess -Pid $a.Pid, $b.Pid -TimeoutSec 10).Exited | Should -Be @($false, $false)
            Test-Running $keep.Pid | Should -BeTrue
            Stop-SbxProcess -Pid $keep.Pid -Force
        }

        It 'stops what Start-SbxProcess -Background sends down the pipeline' {
            $p = Start-SbxProcess -Command 'exec sleep 60' -Background
            $p | Stop-SbxProcess -Force
            (Wait-SbxProcess -Pid $p.Pid -TimeoutSec 10).Status | Should -Be 'signal: killed'
        }

        It 'takes pids by property name' {
            $p = Start-SbxProcess -Command 'exec sleep 60' -Background
            [pscustomobject]@{ Id = $p.Pid } | Stop-SbxProcess -Force
            (Wait-SbxProcess -Pid $p.Pid -TimeoutSec 10).Status | Should -Be 'signal: killed'
        }
    }

    Context '-PassThru' {
        It 'writes the process object of each process it signals, by pid, by tag and from the pipeline' {
            $a = Start-SbxProcess -Command 'exec sleep 60' -Background -Tag 'pass-a'
            $b = Start-SbxProcess -Command 'exec sleep 60' -Background -Tag 'pass-b'
            $c = Start-SbxProcess -Command 'exec sleep 60' -Background -Tag 'pass-c'

            $byPid = Stop-SbxProcess -Pid $a.Pid -Force -PassThru
            $byTag = Stop-SbxProcess -Tag 'pass-b' -Force -PassThru
            $piped = $c | Stop-SbxProcess -Force -PassThru

            foreach ($pair in @(@($byPid, $a), @($byTag, $b), @($piped, $c))) {
                @($pair[0]).Count | Should -Be 1
                $pair[0] | Should -BeOfType ScaleBox.Sandbox.Client.Processes.SandboxProcessInfo
                $pair[0].Pid | Should -Be $pair[1].Pid
                $pair[0].Tag | Should -Be $pair[1].Tag
                $pair[0].CommandLine | Should -Be $pair[1].CommandLine
            }
            @(Wait-SbxProcess -Pid $a.Pid, $b.Pid, $c.Pid -TimeoutSec 10).Status | Should -Be @('signal: killed', 'signal: killed', 'signal: killed')
        }

        It 'names the first started of the processes that share a tag, the one the agent signals' {
            $first = Start-SbxProcess -Command 'exec sleep 60' -Background -Tag 'shared'
            $second = Start-SbxProcess -Command 'exec sleep 60' -Background -Tag 'shared'
            (Stop-SbxProcess -Tag 'shared' -Force -PassThru).Pid | Should -Be $first.Pid
            (Wait-SbxProcess -Pid $first.Pid -TimeoutSec 10).Status | Should -Be 'signal: killed'
            Test-Running $second.Pid | Should -BeTrue
            Stop-SbxProcess -Pid $second.Pid -Force
        }

        It 'writes nothing for a process it could not signal, nor with -WhatIf' {
            $p = Start-SbxProcess -Command 'exec sleep 60' -Background
            Stop-SbxProcess -Pid $p.Pid -PassThru -WhatIf | Should -BeNullOrEmpty
            $out = Stop-SbxProcess -Pid 999999, $p.Pid -Force -PassThru -ErrorAction SilentlyContinue -ErrorVariable failed
            @($out).Pid | Should -Be @($p.Pid)
            $failed[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        }
    }

    Context '-WhatIf' {
        It 'does nothing' {
            $p = Start-SbxProcess -Command 'exec sleep 60' -Background -Tag 'what-if'
            Stop-SbxProcess -Pid $p.Pid -WhatIf
            Stop-SbxProcess -Tag 'what-if' -Force -WhatIf
            Get-SbxProcess -Tag 'what-if' | Stop-SbxProcess -Force -WhatIf
            Start-Sleep -Milliseconds 300
            Test-Running $p.Pid | Should -BeTrue
            Stop-SbxProcess -Pid $p.Pid -Force
        }
    }

    Context 'errors' {
        It 'writes a not-found error for an unknown pid, with the selector as target, and goes on' {
            $p = Start-SbxProcess -Command 'exec sleep 60' -Background
            Stop-SbxProcess -Pid 4242424, $p.Pid -Force -ErrorVariable failed -ErrorAction SilentlyContinue
            $failed.Count | Should -Be 1
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'NotFound,*'
            $failed[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $failed[0].TargetObject | Should -Be 'pid 4242424'
            $failed[0].Exception.Message | Should -BeLike '*4242424*not found*'
            (Wait-SbxProcess -Pid $p.Pid -TimeoutSec 10).Status | Should -Be 'signal: killed'
        }

        It 'writes a not-found error for an unknown tag' {
            Stop-SbxProcess -Tag 'nope' -ErrorVariable failed -ErrorAction SilentlyContinue
            $failed.Count | Should -Be 1
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'NotFound,*'
            $failed[0].TargetObject | Should -Be "tag 'nope'"
        }

        It 'writes an error for a process that has already ended' {
            $p = Start-SbxProcess -Command 'exit 0' -Background
            $null = Wait-SbxProcess -Pid $p.Pid -TimeoutSec 10
            Stop-SbxProcess -Pid $p.Pid -ErrorVariable failed -ErrorAction SilentlyContinue
            $failed.Count | Should -Be 1
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'FailedPrecondition,*'
            $failed[0].TargetObject | Should -Be "pid $($p.Pid)"
            $failed[0].Exception.Message | Should -BeLike '*already ended*'
        }

        It 'throws with -ErrorAction Stop' {
            { Stop-SbxProcess -Pid 4242424 -ErrorAction Stop } | Should -Throw -ErrorId 'NotFound,ScaleBox.Sandbox.Commands.StopSbxProcessCommand'
        }
    }

    Context 'Grpc protocol' {
        It 'stops a process over HTTP/2' {
            $p = Start-SbxProcess -Session $grpc -Command 'exec sleep 60' -Background
            Stop-SbxProcess -Session $grpc -Pid $p.Pid
            $exit = Wait-SbxProcess -Session $grpc -Pid $p.Pid -TimeoutSec 10
            $exit.Status | Should -Be 'signal: terminated'
        }
    }
}

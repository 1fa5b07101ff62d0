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

    function Get-Sha256([byte[]] $Bytes) {
        [Convert]::ToHexString([System.Security.Cryptography.SHA256]::HashData($Bytes))
    }

    function Join-Bytes($Records) {
        $buffer = [System.IO.MemoryStream]::new()
        foreach ($record in $Records) { $buffer.Write($record.Bytes, 0, $record.Bytes.Length) }
        $buffer.ToArray()
    }

}

AfterAll {
    Get-SbxProcess -Session $session -ErrorAction SilentlyContinue | Stop-SbxProcess -Session $session -Force -ErrorAction SilentlyContinue
    Get-SbxSession | Remove-SbxSession
    if ($agent) { Stop-TestAgent $agent }
}

Describe 'Start-SbxProcess' {
    Context 'records' {
        It 'separates stdout and stderr, in the order written, and ends with the exit record' {
            $out = Start-SbxProcess -Command 'echo out1; sleep 0.1; echo err1 >&2; sleep 0.1; echo out2; sleep 0.1; echo err2 >&2' -AsRecord
            $out[-1] | Should -BeOfType ([ScaleBox.Sandbox.Client.Processes.SandboxProcessExit])
            $out[-1].ExitCode | Should -Be 0
            $out[-1].Exited | Should -BeTrue
            $out[-1].Status | Should -Be 'exit status 0'
            $out[-1].Succeeded | Should -BeTrue

            $chunks = $out | Select-Object -SkipLast 1
            $chunks | ForEach-Object { $_ | Should -BeOfType ([ScaleBox.Sandbox.Client.Processes.SandboxProcessOutput]) }
            $chunks | ForEach-Object { $_.Pid | Should -Be $out[-1].Pid }
            @($chunks | ForEach-Object { "$($_.Stream):$($_.Text)" }) |
                Should -Be @("Stdout:out1`n", "Stderr:err1`n", "Stdout:out2`n", "Stderr:err2`n")
        }

        It 'reports a non-zero exit code in the exit record and in $LASTEXITCODE' {
            $out = Start-SbxProcess -Command 'echo x; exit 3' -AsRecord
            $out[-1].ExitCode | Should -Be 3
            $out[-1].Exited | Should -BeTrue
            $out[-1].Status | Should -Be 'exit status 3'
            $out[-1].Succeeded | Should -BeFalse
            $global:LASTEXITCODE | Should -Be 3

            $null = Start-SbxProcess -Command 'exit 0' -AsRecord
            $global:LASTEXITCODE | Should -Be 0
        }

        It 'reports a process ended by a signal as not exited, with exit code -1' {
            $out = Start-SbxProcess -Command 'kill -KILL $$' -AsRecord
            $out[-1].Exited | Should -BeFalse
            $out[-1].ExitCode | Should -Be -1
            $global:LASTEXITCODE | Should -Be -1
            $out[-1].Status | Should -BeLike '*signal*'
            $out[-1].Status | Should -BeLike '*killed*'
        }

        It 'passes binary output through byte for byte' {
            $out = Start-SbxProcess -Command 'head -c 300000 /dev/urandom | tee out.bin' -AsRecord
            $out[-1].ExitCode | Should -Be 0
            $stdout = @($out | Where-Object { $_ -is [ScaleBox.Sandbox.Client.Processes.SandboxProcessOutput] })
            $stdout | ForEach-Object { $_.Stream | Should -Be 'Stdout' }
            $stdout.Count | Should -BeGreaterThan 1 # several chunks, so chunk boundaries are crossed
            $bytes = Join-Bytes $stdout
            $bytes.Length | Should -Be 300000
            Get-Sha256 $bytes | Should -Be (Get-Sha256 ([System.IO.File]::ReadAllBytes((Join-Path $agent.Home 'out.bin'))))
        }

        It 'decodes a character split across chunks whole, and keeps the bytes as written' {
            $out = Start-SbxProcess -Command "printf '\xe2'; sleep 0.3; printf '\x82\xac\n'" -AsRecord
            $stdout = @($out | Where-Object Stream -EQ 'Stdout')
            $stdout.Count | Should -BeGreaterThan 1
            -join ($stdout | ForEach-Object Text) | Should -Be "€`n"
            Join-Bytes $stdout | Should -Be ([byte[]](0xE2, 0x82, 0xAC, 0x0A))
        }

        It 'shows invalid and unfinished UTF-8 as U+FFFD without losing the bytes' {
            $out = Start-SbxProcess -Command "printf 'a\xffb\xe2'" -AsRecord
            $stdout = @($out | Where-Object Stream -EQ 'Stdout')
            -join ($stdout | ForEach-Object Text) | Should -Be "a$([char]0xFFFD)b$([char]0xFFFD)"
            Join-Bytes $stdout | Should -Be ([byte[]](0x61, 0xFF, 0x62, 0xE2))
            # The held-back byte arrives as a last chunk of text with no bytes, before the exit.
            $stdout[-1].Bytes.Length | Should -Be 0
            $out[-1] | Should -BeOfType ([ScaleBox.Sandbox.Client.Processes.SandboxProcessExit])
        }

        It 'writes a verbose message naming the pid' {
            $out = Start-SbxProcess -Command 'true' -AsRecord -Verbose 4>&1
            $exit = $out | Where-Object { $_ -is [ScaleBox.Sandbox.Client.Processes.SandboxProcessExit] }
            $verbose = @($out | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
            $verbose | Should -Contain "Started /bin/bash -l -c true as pid $($exit.Pid)."
        }
    }

    Context '-AsText' {
        It 'writes lines by default, as a native command: stdout to the pipeline, stderr to the error stream' {
            $out = Start-SbxProcess -Command 'echo one; echo oops >&2; printf "two\r\nthree"' -ErrorVariable stderr 2>$null
            $out | Should -Be @('one', 'two', 'three')
            $out | ForEach-Object { $_ | Should -BeOfType ([string]) }
            $stderr.Count | Should -Be 1
            "$($stderr[0])" | Should -Be 'oops'
            $stderr[0].FullyQualifiedErrorId | Should -BeLike 'NativeCommandError*'
            (Start-SbxProcess -Command 'echo same' -AsText) | Should -Be 'same' -Because '-AsText names the default'
        }

        It 'shows every line of ls -la, in order, nothing cut' {
            $dir = Join-Path $agent.Home 'listing'
            New-Item -ItemType Directory -Path $dir -Force | Out-Null
            1..40 | ForEach-Object { Set-Content -LiteralPath (Join-Path $dir "file-$_.txt") -Value $_ }
            $expected = & bash -c "cd '$dir' && ls -la"
            $shown = (Start-SbxProcess -Command 'ls -la' -WorkingDirectory $dir | Out-String -Width 300).TrimEnd() -split "`n" | ForEach-Object TrimEnd
            $shown | Should -Be ($expected | ForEach-Object TrimEnd)
        }

        It 'merges stderr into the output with 2>&1, in the order written, as a native command' {
            $all = Start-SbxProcess -Command 'echo out; sleep 0.1; echo err >&2; sleep 0.1; echo out2' 2>&1
            $all.Count | Should -Be 3
            $all[0] | Should -Be 'out'
            $all[1] | Should -BeOfType ([System.Management.Automation.ErrorRecord])
            "$($all[1])" | Should -Be 'err'
            $all[2] | Should -Be 'out2'
        }

        It 'sends stderr to a file with 2>file and drops it with 2>$null' {
            $file = Join-Path $TestDrive 'stderr.txt'
            Start-SbxProcess -Command 'echo kept; echo e1 >&2; echo e2 >&2' 2>$file | Should -Be 'kept'
            Get-Content -LiteralPath $file | Should -Be @('e1', 'e2')
            $errorsBefore = $Error.Count
            Start-SbxProcess -Command 'echo kept; echo gone >&2' 2>$null | Should -Be 'kept'
        }

        It 'does not stop a script on a stderr line under -ErrorAction Stop: the exit code does that with -CheckExitCode' {
            $out = & {
                $ErrorActionPreference = 'Stop'
                Start-SbxProcess -Command 'echo before; echo warning >&2; echo after' 2>$null
                'script went on'
            }
            $out | Should -Be @('before', 'after', 'script went on')
            $out = Start-SbxProcess -Command 'echo a; echo b >&2; echo c' -ErrorAction Stop 2>$null
            $out | Should -Be @('a', 'c')
            { Start-SbxProcess -Command 'echo x >&2; exit 2' -CheckExitCode -ErrorAction Stop 2>$null } | Should -Throw -ErrorId 'ProcessExitCode,*'
        }

        It 'refuses -AsText with -AsRecord' {
            { Start-SbxProcess -Command 'true' -AsText -AsRecord -ErrorAction Stop } | Should -Throw -ErrorId 'AsTextAndAsRecord,*'
        }

        It 'feeds Select-String, and Select-Object -First after it ends the stream' {
            $errorsBefore = $Error.Count
            $global:LASTEXITCODE = 123
            $found = Start-SbxProcess -Command 'seq 1 100000' -AsText | Select-String -Pattern '^4\d\d$' | Select-Object -First 3
            $found | ForEach-Object { $_ | Should -BeOfType ([Microsoft.PowerShell.Commands.MatchInfo]) }
            @($found.Line) | Should -Be @('400', '401', '402')
            $Error.Count | Should -Be $errorsBefore
            $global:LASTEXITCODE | Should -Be 123 -Because 'the stream ended before the exit was read'
        }

        It 'stops early for Select-Object -First, without an error' {
            $errorsBefore = $Error.Count
            $first = Start-SbxProcess -Command 'seq 1 100000' -AsText -ErrorVariable failed | Select-Object -First 3
            $first | Should -Be @('1', '2', '3')
            $failed | Should -BeNullOrEmpty
            $Error.Count | Should -Be $errorsBefore
        }

        It 'returns from Select-Object -First at once, leaving the process running' {
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $first = Start-SbxProcess -Command 'seq 1 100000; exec sleep 30' -Tag 'first-n' -AsText | Select-Object -First 2
            $watch.Stop()
            $first | Should -Be @('1', '2')
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 10 # the process itself runs 30 s
            # Only the local stream ended: the process runs on in the sandbox.
            @(Get-SbxProcess -Tag 'first-n').Count | Should -Be 1
            Stop-SbxProcess -Tag 'first-n' -Force
        }

        It 'joins a character split across chunks' {
            Start-SbxProcess -Command "printf '\xe2'; sleep 0.3; printf '\x82\xac\n'" -AsText | Should -Be '€'
        }

        It 'joins a line split across chunks' {
            Start-SbxProcess -Command "printf 'ab'; sleep 0.3; printf 'c\nd'" -AsText | Should -Be @('abc', 'd')
        }

        It 'writes a last line without a line end' {
            Start-SbxProcess -Command 'printf "a\nb"' -AsText | Should -Be @('a', 'b')
        }
    }

    Context '-CheckExitCode' {
        It 'throws ProcessExitCode for a non-zero exit with -ErrorAction Stop' {
            $thrown = $null
            try { Start-SbxProcess -Command 'exit 3' -CheckExitCode -ErrorAction Stop | Out-Null } catch { $thrown = $_ }
            $thrown | Should -Not -BeNullOrEmpty
            $thrown.FullyQualifiedErrorId | Should -BeLike 'ProcessExitCode,*'
            $thrown.CategoryInfo.Category | Should -Be 'InvalidResult'
            $thrown.TargetObject.ExitCode | Should -Be 3
            $thrown.Exception.Message | Should -BeLike '*exited with code 3*'
        }

        It 'throws ProcessSignaled for a killed process' {
            $thrown = $null
            try { Start-SbxProcess -Command 'kill -KILL $$' -CheckExitCode -ErrorAction Stop | Out-Null } catch { $thrown = $_ }
            $thrown | Should -Not -BeNullOrEmpty
            $thrown.FullyQualifiedErrorId | Should -BeLike 'ProcessSignaled,*'
            $thrown.TargetObject.Exited | Should -BeFalse
            $thrown.Exception.Message | Should -BeLike '*signal*killed*'
        }

        It 'sets $LASTEXITCODE before it stops the script' {
            $global:LASTEXITCODE = 0
            try { Start-SbxProcess -Command 'exit 3' -CheckExitCode -ErrorAction Stop | Out-Null } catch { $null = $_ }
            # As after a native command with $PSNativeCommandUseErrorActionPreference: the code of the
            # process that failed, not whatever ran before it.
            $global:LASTEXITCODE | Should -Be 3
        }

        It 'is silent for exit code 0' {
            $out = Start-SbxProcess -Command 'echo fine' -CheckExitCode -AsText -ErrorAction Stop -ErrorVariable failed
            $out | Should -Be 'fine'
            $failed | Should -BeNullOrEmpty
        }

        It 'writes the output and a non-terminating error by default' {
            $out = Start-SbxProcess -Command 'echo partial; exit 2' -CheckExitCode -AsText -ErrorVariable failed -ErrorAction SilentlyContinue
            $out | Should -Be 'partial'
            $failed.Count | Should -Be 1
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'ProcessExitCode,*'
            $global:LASTEXITCODE | Should -Be 2
        }
    }

    Context '-TimeoutSec' {
        BeforeAll {
            # Runs its course while the other tests of this context run.
            $timedBackground = Start-SbxProcess -Command 'exec sleep 30' -TimeoutSec 1 -Background
        }

        It 'kills a process that outlives it and reports a clear DeadlineExceeded error, keeping the output' {
            $global:LASTEXITCODE = 123
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $out = Start-SbxProcess -Command 'echo whole; printf partial; exec sleep 30' -TimeoutSec 1 -Tag 'timed' -AsRecord -ErrorVariable failed -ErrorAction SilentlyContinue
            $watch.Stop()
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 10
            $out | Where-Object { $_ -is [ScaleBox.Sandbox.Client.Processes.SandboxProcessExit] } | Should -BeNullOrEmpty
            -join ($out | ForEach-Object Text) | Should -Be "whole`npartial"
            $failed.Count | Should -Be 1
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'DeadlineExceeded,*'
            $failed[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
            $failed[0].Exception.Message | Should -BeLike '*timeout of 1 s*killed*'
            # It was killed, not merely left behind.
            Wait-Until { -not (Get-SbxProcess -Tag 'timed' -ErrorAction SilentlyContinue) } -TimeoutSec 10
            $global:LASTEXITCODE | Should -Be -1 -Because 'a process killed at its timeout ended by a signal (-1), and no stale code may remain'
        }

        It 'keeps what the process wrote before it was killed, as lines, including an unfinished last line' {
            $out = Start-SbxProcess -Command 'echo whole; printf partial; printf err-partial >&2; exec sleep 30' -TimeoutSec 1 `
                -ErrorVariable failed -ErrorAction SilentlyContinue
            $out | Should -Be @('whole', 'partial')
            @($failed | Where-Object FullyQualifiedErrorId -Like 'NativeCommandError*' | ForEach-Object { "$_" }) | Should -Be @('err-partial')
            @($failed | Where-Object FullyQualifiedErrorId -Like 'DeadlineExceeded,*').Count | Should -Be 1
        }

        It 'still kills a -Background process at its timeout' {
            $exit = Wait-SbxProcess -Pid $timedBackground.Pid -TimeoutSec 10
            $exit.Exited | Should -BeFalse
            $exit.Status | Should -Be 'signal: killed'
        }

        It 'puts no deadline of its own on a quiet process, even with a short session timeout' {
            $out = Start-SbxProcess -Session $short -Command 'sleep 3; echo done' -AsText -ErrorVariable failed
            $out | Should -Be 'done'
            $failed | Should -BeNullOrEmpty
            $global:LASTEXITCODE | Should -Be 0
        }
    }

    Context 'how the process is started' {
        It 'runs in the home folder by default' {
            Start-SbxProcess -Command 'pwd' -AsText | Should -Be $agent.Home
        }

        It 'runs in -WorkingDirectory' {
            $dir = Join-Path $agent.Home 'work dir'
            New-Item -ItemType Directory -Path $dir -Force | Out-Null
            Start-SbxProcess -Command 'pwd' -WorkingDirectory $dir -AsText | Should -Be $dir
            Start-SbxProcess -Command 'pwd' -WorkingDirectory 'work dir' -AsText | Should -Be $dir
        }

        It 'fails with InvalidArgument for a missing working directory' {
            $out = Start-SbxProcess -Command 'pwd' -WorkingDirectory '/no/such/dir' -ErrorVariable failed -ErrorAction SilentlyContinue
            $out | Should -BeNullOrEmpty
            $failed.Count | Should -Be 1
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'InvalidArgument,*'
            $failed[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            $failed[0].Exception.Message | Should -BeLike '*/no/such/dir*'
        }

        It 'fails with InvalidArgument for a program that does not exist' {
            Start-SbxProcess -FilePath '/no/such/program' -ErrorVariable failed -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'InvalidArgument,*'
            $failed[0].TargetObject | Should -Be '/no/such/program'
        }

        It 'takes the words after the program as its arguments, as a native command does' {
            Start-SbxProcess echo hello world -AsText | Should -Be 'hello world'
            Start-SbxProcess printf '%s|' 'a b' c -AsText | Should -Be 'a b|c|'
        }

        It 'points to -Command when a whole command line is given as the program' {
            Start-SbxProcess 'ls -la' -ErrorVariable failed -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $failed.Count | Should -Be 1
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'InvalidArgument,*'
            $failed[0].ErrorDetails.Message | Should -BeLike "*use -Command: Start-SbxProcess -Command 'ls -la'*"
            $failed[0].ErrorDetails.RecommendedAction | Should -BeLike "*-Command 'ls -la'*"
        }

        It 'adds -Environment variables' {
            $out = Start-SbxProcess -Command 'echo "$SBX_A|$SBX_N|$HOME"' -Environment @{ SBX_A = 'x y'; SBX_N = 42 } -AsText
            $out | Should -Be "x y|42|$($agent.Home)"
        }

        It 'passes -ArgumentList to -FilePath as they are, without a shell' {
            Start-SbxProcess printf -ArgumentList '%s|', 'a b', '$HOME', '' -AsText | Should -Be 'a b|$HOME||'
        }
    }

    Context '-Background' {
        It 'returns the running process at once; Receive-SbxProcess then follows it to its exit' {
            $info = Start-SbxProcess -Command 'sleep 1; echo later; echo err >&2; exit 4' -Background -Tag 'bg-one'
            $info | Should -BeOfType ([ScaleBox.Sandbox.Client.Processes.SandboxProcessInfo])
            $info.Pid | Should -BeGreaterThan 0
            $info.Tag | Should -Be 'bg-one'
            $info.FileName | Should -Be '/bin/bash'
            $info.Arguments | Should -Be @('-l', '-c', 'sleep 1; echo later; echo err >&2; exit 4')
            $info.Domain | Should -Be $agent.Domain
            # Returned while the process still runs.
            (Get-SbxProcess -Pid $info.Pid).Tag | Should -Be 'bg-one'

            $out = Receive-SbxProcess -Pid $info.Pid -AsRecord
            -join ($out | Where-Object Stream -EQ 'Stdout' | ForEach-Object Text) | Should -Be "later`n"
            -join ($out | Where-Object Stream -EQ 'Stderr' | ForEach-Object Text) | Should -Be "err`n"
            $out[-1].ExitCode | Should -Be 4
        }

        It 'can be followed by tag' {
            $null = Start-SbxProcess -Command 'sleep 0.7; echo tagged' -Background -Tag 'bg-tag'
            Receive-SbxProcess -Tag 'bg-tag' -AsText | Should -Be 'tagged'
        }

        It 'reports a process that cannot start, instead of returning it' {
            Start-SbxProcess -Command 'pwd' -WorkingDirectory '/no/such/dir' -Background -ErrorVariable failed -ErrorAction SilentlyContinue |
                Should -BeNullOrEmpty
            $failed.Count | Should -Be 1
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'InvalidArgument,*'
        }

        It 'refuses -AsText and -CheckExitCode, which need the output it does not read' {
            { Start-SbxProcess -Command 'true' -Background -AsText -ErrorAction Stop } |
                Should -Throw -ErrorId 'BackgroundHasNoOutput,ScaleBox.Sandbox.Commands.StartSbxProcessCommand'
            { Start-SbxProcess -Command 'true' -Background -CheckExitCode -ErrorAction Stop } |
                Should -Throw -ErrorId 'BackgroundHasNoOutput,ScaleBox.Sandbox.Commands.StartSbxProcessCommand'
        }

        It 'cannot be combined with -AsJob' {
            { Start-SbxProcess -Command 'true' -Background -AsJob -ErrorAction Stop } |
                Should -Throw -ErrorId 'BackgroundAndJob,ScaleBox.Sandbox.Commands.StartSbxProcessCommand'
        }
    }

    Context 'stopping the local stream' {
        It 'leaves the process running; Receive-SbxProcess gets the rest and the exit' {
            $run = Start-InRunspace "Start-SbxProcess -Command 'for i in `$(seq 1 30); do echo `$i; sleep 0.1; done' -Tag 'ctrl-c' -AsText"
            try {
                Wait-Until { $run.Output.Count -ge 1 } -TimeoutSec 20
                $watch = [System.Diagnostics.Stopwatch]::StartNew()
                $run.PowerShell.Stop()
                $watch.Stop()
                $watch.Elapsed.TotalSeconds | Should -BeLessThan 5
                $run.PowerShell.InvocationStateInfo.State | Should -Be 'Stopped'
                $run.Output[0] | Should -Be '1'
                $seen = $run.Output.Count
            }
            finally {
                $run.PowerShell.Dispose()
            }

            $out = Receive-SbxProcess -Tag 'ctrl-c' -AsRecord
            $out[-1] | Should -BeOfType ([ScaleBox.Sandbox.Client.Processes.SandboxProcessExit])
            $out[-1].ExitCode | Should -Be 0
            [int[]] $numbers = -split (-join ($out | Select-Object -SkipLast 1 | ForEach-Object Text))
            $numbers[-1] | Should -Be 30
            $numbers[0] | Should -BeGreaterThan $seen
            $numbers | Should -Be ($numbers[0]..30)
        }
    }

    Context '-WhatIf' {
        It 'starts nothing and returns nothing with -WhatIf (<Mode>)' -ForEach @(
            @{ Mode = 'streamed'; Extra = @{} }
            @{ Mode = '-Background'; Extra = @{ Background = $true } }
            @{ Mode = '-AsJob'; Extra = @{ AsJob = $true } }
        ) {
            $marker = Join-Path $agent.Home "whatif-$([guid]::NewGuid().ToString('N'))"
            $out = Start-SbxProcess -Command "touch '$marker'" -Tag 'whatif' -WhatIf @Extra
            $out | Should -BeNullOrEmpty
            Get-SbxProcess -Tag 'whatif' -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            # Had it run, the file would be there by the time a started process is listed.
            Start-SbxProcess -Command 'true' | Out-Null
            Test-Path -LiteralPath $marker | Should -BeFalse
        }
    }

    Context '-AsJob' {
        It 'returns a job whose output is the stream' {
            $job = Start-SbxProcess -Command 'echo one; echo two' -AsJob -AsText
            try {
                $job | Should -BeOfType ([System.Management.Automation.Job])
                $job | Wait-Job -Timeout 20 | Out-Null
                $job.State | Should -Be 'Completed'
                Receive-Job $job | Should -Be @('one', 'two')
            }
            finally {
                Remove-Job $job -Force
            }
        }

        It 'gives records, with the exit last' {
            $job = Start-SbxProcess -Command 'echo rec; exit 5' -AsJob -AsRecord
            try {
                $job | Wait-Job -Timeout 20 | Out-Null
                $out = Receive-Job $job
                $out[0].Text | Should -Be "rec`n"
                $out[-1].ExitCode | Should -Be 5
            }
            finally {
                Remove-Job $job -Force
            }
        }

        It 'puts stderr lines in the error stream of the job' {
            $job = Start-SbxProcess -Command 'echo out; echo err >&2' -AsJob
            try {
                $job | Wait-Job -Timeout 20 | Out-Null
                @($job.Error | ForEach-Object { "$_" }) | Should -Be @('err')
                Receive-Job $job -ErrorAction SilentlyContinue | Should -Be 'out'
            }
            finally {
                Remove-Job $job -Force
            }
        }

        It 'fails the job with DeadlineExceeded when -TimeoutSec passes' {
            $job = Start-SbxProcess -Command 'exec sleep 30' -TimeoutSec 1 -AsJob
            try {
                $job | Wait-Job -Timeout 20 | Out-Null
                $job.State | Should -Be 'Failed'
                $job.Error[0].FullyQualifiedErrorId | Should -Be 'DeadlineExceeded'
            }
            finally {
                Remove-Job $job -Force
            }
        }

        It 'stops only the stream on Stop-Job; the process keeps running' {
            $job = Start-SbxProcess -Command 'echo up; exec sleep 30' -Tag 'job-stop' -AsJob
            try {
                Wait-Until { $job.Output.Count -ge 1 }
                Stop-Job $job
                Wait-Until { $job.State -eq 'Stopped' } -TimeoutSec 5
                @(Get-SbxProcess -Tag 'job-stop').Count | Should -Be 1
            }
            finally {
                Remove-Job $job -Force
                Stop-SbxProcess -Tag 'job-stop' -Force -ErrorAction SilentlyContinue
            }
        }

        It 'is stopped when Stop-Job returns, so Remove-Job can follow' {
            $job = Start-SbxProcess -Command 'echo up; exec sleep 30' -Tag 'job-stop-sync' -AsJob
            try {
                Wait-Until { $job.Output.Count -ge 1 }
                Stop-Job $job
                # As for every other job type: Stop-Job waits until the job has stopped.
                $job.State | Should -Be 'Stopped'
                { Remove-Job $job -ErrorAction Stop } | Should -Not -Throw
            }
            finally {
                Remove-Job $job -Force -ErrorAction SilentlyContinue
                Stop-SbxProcess -Tag 'job-stop-sync' -Force -ErrorAction SilentlyContinue
            }
        }
    }

    Context '-Pty' {
        It 'runs the process in a terminal of the given size' {
            $out = Start-SbxProcess -Command 'tty; stty size; echo $TERM' -Pty -Rows 30 -Columns 100 -AsText
            $out[0] | Should -Match '^/dev/pts/\d+$'
            $out[1] | Should -Be '30 100'
            $out[2] | Should -Be 'xterm-256color'
        }

        It 'refuses -Columns and -Rows without -Pty' {
            { Start-SbxProcess -Command 'true' -Columns 100 -ErrorAction Stop } |
                Should -Throw -ErrorId 'SizeNeedsPty,ScaleBox.Sandbox.Commands.StartSbxProcessCommand'
            { Start-SbxProcess -Command 'true' -Rows 10 -ErrorAction Stop } |
                Should -Throw -ErrorId 'SizeNeedsPty,ScaleBox.Sandbox.Commands.StartSbxProcessCommand'
        }

        It 'delivers terminal output as the Pty stream' {
            $out = Start-SbxProcess -Command 'echo to-out; echo to-err >&2' -Pty -AsRecord
            $chunks = @($out | Select-Object -SkipLast 1)
            $chunks | ForEach-Object { $_.Stream | Should -Be 'Pty' }
            -join ($chunks | ForEach-Object Text) | Should -Be "to-out`r`nto-err`r`n"
            $out[-1].ExitCode | Should -Be 0
        }
    }

    Context 'Grpc protocol' {
        It 'streams records and the exit over HTTP/2' {
            $out = Start-SbxProcess -Session $grpc -Command 'echo g1; sleep 0.1; echo g2 >&2; exit 7' -AsRecord
            @($out | Select-Object -SkipLast 1 | ForEach-Object { "$($_.Stream):$($_.Text)" }) | Should -Be @("Stdout:g1`n", "Stderr:g2`n")
            $out[-1].ExitCode | Should -Be 7
        }

        It 'stops early for Select-Object -First over HTTP/2' {
            Start-SbxProcess -Session $grpc -Command 'seq 1 100000' -AsText | Select-Object -First 2 | Should -Be @('1', '2')
        }
    }
}

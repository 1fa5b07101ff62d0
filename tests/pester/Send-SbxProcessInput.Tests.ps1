BeforeAll {
    . (Join-Path $PSScriptRoot 'TestAgent.ps1')
    $agent = Start-TestAgent
    $modulePath = Get-TestModulePath
    Import-Module $modulePath -Force
    # The newest session is the default, so the plain HTTP/1.1 one is made last.
    $grpc = New-SbxSession -Domain $agent.Http2Domain -AccessToken $agent.Token -Protocol Grpc -Name grpc
    $session = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token -Name main

    function Read-RemoteBytes([string] $Name) {
        [System.IO.File]::ReadAllBytes((Join-Path $agent.Home $Name))
    }

}

AfterAll {
    Get-SbxProcess -Session $session -ErrorAction SilentlyContinue | Stop-SbxProcess -Session $session -Force -ErrorAction SilentlyContinue
    Get-SbxSession | Remove-SbxSession
    if ($agent) { Stop-TestAgent $agent }
}

Describe 'Send-SbxProcessInput' {
    Context 'standard input' {
        It 'sends text, exactly as given' {
            $p = Start-SbxProcess -Command 'head -n 2 > got.txt' -Background
            Send-SbxProcessInput -Pid $p.Pid -Value "one`n"
            Send-SbxProcessInput -Pid $p.Pid "two`nnot read`n"
            (Wait-SbxProcess -Pid $p.Pid -TimeoutSec 10).ExitCode | Should -Be 0
            [System.IO.File]::ReadAllText((Join-Path $agent.Home 'got.txt')) | Should -Be "one`ntwo`n"
        }

        It 'sends text as UTF-8' {
            $p = Start-SbxProcess -Command 'head -n 1 > utf8.txt' -Background
            Send-SbxProcessInput -Pid $p.Pid -Value "€ é 😀`n"
            (Wait-SbxProcess -Pid $p.Pid -TimeoutSec 10).ExitCode | Should -Be 0
            Read-RemoteBytes 'utf8.txt' | Should -Be ([System.Text.UTF8Encoding]::new($false).GetBytes("€ é 😀`n"))
        }

        It 'sends bytes as they are' {
            $bytes = [byte[]](0, 1, 2, 0x7F, 0x80, 0xFE, 0xFF, 13, 10)
            $p = Start-SbxProcess -Command "head -c $($bytes.Length) > got.bin" -Background
            Send-SbxProcessInput -Pid $p.Pid -Value $bytes
            (Wait-SbxProcess -Pid $p.Pid -TimeoutSec 10).ExitCode | Should -Be 0
            Read-RemoteBytes 'got.bin' | Should -Be $bytes
        }

        It 'sends pipeline input item by item' {
            $p = Start-SbxProcess -Command 'head -n 3 > piped.txt' -Background
            "a`n", "b`n", "c`n" | Send-SbxProcessInput -Pid $p.Pid
            (Wait-SbxProcess -Pid $p.Pid -TimeoutSec 10).ExitCode | Should -Be 0
            [System.IO.File]::ReadAllText((Join-Path $agent.Home 'piped.txt')) | Should -Be "a`nb`nc`n"
        }

        It 'sends a byte array from the pipeline in one piece' {
            $p = Start-SbxProcess -Command 'head -c 3 > piped.bin' -Background
            , [byte[]](0xC3, 0x28, 0x0A) | Send-SbxProcessInput -Pid $p.Pid
            (Wait-SbxProcess -Pid $p.Pid -TimeoutSec 10).ExitCode | Should -Be 0
            Read-RemoteBytes 'piped.bin' | Should -Be ([byte[]](0xC3, 0x28, 0x0A))
        }

        It 'accepts an empty string' {
            $p = Start-SbxProcess -Command 'head -n 1 > empty.txt' -Background
            Send-SbxProcessInput -Pid $p.Pid -Value '' -ErrorVariable failed
            $failed | Should -BeNullOrEmpty
            Send-SbxProcessInput -Pid $p.Pid -Value "x`n"
            (Wait-SbxProcess -Pid $p.Pid -TimeoutSec 10).ExitCode | Should -Be 0
            [System.IO.File]::ReadAllText((Join-Path $agent.Home 'empty.txt')) | Should -Be "x`n"
        }

        It 'selects by -Tag, and by the process objects of Start-SbxProcess -Background' {
            $p = Start-SbxProcess -Command 'head -n 2 > tagged.txt' -Background -Tag 'stdin-tag'
            Send-SbxProcessInput -Tag 'stdin-tag' -Value "by tag`n"
            $p | Send-SbxProcessInput -Value "by object`n"
            (Wait-SbxProcess -Pid $p.Pid -TimeoutSec 10).ExitCode | Should -Be 0
            [System.IO.File]::ReadAllText((Join-Path $agent.Home 'tagged.txt')) | Should -Be "by tag`nby object`n"
        }

        It 'takes the text with -Value when the process comes from the pipeline' {
            $p = Start-SbxProcess -Command 'head -n 1 > positional.txt' -Background -Tag 'positional'
            # A positional value would bind to -Pid (position 0) before the pipeline is read, so -Value is named.
            Get-SbxProcess -Tag 'positional' | Send-SbxProcessInput -Value "from the pipeline`n" -ErrorAction Stop
            (Wait-SbxProcess -Pid $p.Pid -TimeoutSec 10).ExitCode | Should -Be 0
            [System.IO.File]::ReadAllText((Join-Path $agent.Home 'positional.txt')) | Should -Be "from the pipeline`n"
        }

        It 'works as the help''s first example: cat in a job echoes the line back' {
            $job = Start-SbxProcess cat -AsJob -AsText -Tag 'echo'
            try {
                Wait-Until { Get-SbxProcess -Tag 'echo' -ErrorAction SilentlyContinue }
                Send-SbxProcessInput -Tag 'echo' -Value "hello`n"
                Wait-Until { $job.Output.Count -ge 1 }
                Stop-SbxProcess -Tag 'echo'
                $job | Wait-Job -Timeout 10 | Receive-Job | Should -Be 'hello'
            }
            finally {
                Remove-Job $job -Force
            }
        }

        It 'reaches a process whose output another runspace is receiving' {
            $p = Start-SbxProcess -Command 'cat' -Background -Tag 'cat'
            $run = Start-InRunspace "Receive-SbxProcess -Tag 'cat' -AsText -Verbose | Select-Object -First 2"
            try {
                Wait-Until { @($run.PowerShell.Streams.Verbose | Where-Object Message -Like 'Attached to pid*').Count -ge 1 } -TimeoutSec 20
                Send-SbxProcessInput -Pid $p.Pid -Value "hello`n"
                Send-SbxProcessInput -Pid $p.Pid -Value "wörld`n"
                $run.Async.AsyncWaitHandle.WaitOne([TimeSpan]::FromSeconds(10)) | Should -BeTrue
                @($run.Output) | Should -Be @('hello', 'wörld')
            }
            finally {
                $run.PowerShell.Dispose()
                Stop-SbxProcess -Pid $p.Pid -Force
            }
        }
    }

    Context '-Pty' {
        It 'types into the terminal of a process started with -Pty' {
            $p = Start-SbxProcess -Command 'read -r line; printf "%s" "$line" > typed.txt' -Pty -Background
            Send-SbxProcessInput -Pid $p.Pid -Value "typed in`r" -Pty
            (Wait-SbxProcess -Pid $p.Pid -TimeoutSec 10).ExitCode | Should -Be 0
            [System.IO.File]::ReadAllText((Join-Path $agent.Home 'typed.txt')) | Should -Be 'typed in'
        }

        It 'ends the input of a terminal process with Ctrl+D' {
            $p = Start-SbxProcess -Command 'cat > ctrl-d.txt' -Pty -Background
            Send-SbxProcessInput -Pid $p.Pid -Value "line`n" -Pty
            Send-SbxProcessInput -Pid $p.Pid -Value ([char] 4) -Pty
            (Wait-SbxProcess -Pid $p.Pid -TimeoutSec 10).ExitCode | Should -Be 0
            [System.IO.File]::ReadAllText((Join-Path $agent.Home 'ctrl-d.txt')) | Should -Be "line`n"
        }

        It 'sends Ctrl+C to the terminal as a byte, which interrupts the foreground process' {
            $p = Start-SbxProcess -Command 'exec sleep 60' -Pty -Background
            Start-Sleep -Milliseconds 300
            Send-SbxProcessInput -Pid $p.Pid -Value ([byte[]](3)) -Pty
            $exit = Wait-SbxProcess -Pid $p.Pid -TimeoutSec 10
            $exit.Exited | Should -BeFalse
            $exit.Status | Should -BeLike '*interrupt*'
        }
    }

    Context 'errors' {
        It 'refuses terminal input to a process with pipes' {
            $p = Start-SbxProcess -Command 'exec sleep 60' -Background
            Send-SbxProcessInput -Pid $p.Pid -Value 'x' -Pty -ErrorVariable failed -ErrorAction SilentlyContinue
            $failed.Count | Should -Be 1
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'FailedPrecondition,*'
            $failed[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
            $failed[0].TargetObject | Should -Be "pid $($p.Pid)"
            $failed[0].Exception.Message | Should -BeLike '*stdin*'
            Stop-SbxProcess -Pid $p.Pid -Force
        }

        It 'refuses standard input to a process with a terminal' {
            $p = Start-SbxProcess -Command 'exec sleep 60' -Pty -Background
            Send-SbxProcessInput -Pid $p.Pid -Value 'x' -ErrorVariable failed -ErrorAction SilentlyContinue
            $failed.Count | Should -Be 1
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'FailedPrecondition,*'
            $failed[0].Exception.Message | Should -BeLike '*pty*'
            Stop-SbxProcess -Pid $p.Pid -Force
        }

        It 'writes an error for a process that has ended' {
            $p = Start-SbxProcess -Command 'exit 0' -Background
            $null = Wait-SbxProcess -Pid $p.Pid
            Send-SbxProcessInput -Pid $p.Pid -Value 'late' -ErrorVariable failed -ErrorAction SilentlyContinue
            $failed.Count | Should -Be 1
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'FailedPrecondition,*'
            $failed[0].Exception.Message | Should -BeLike '*ended*'
        }

        It 'writes a not-found error for an unknown pid or tag, with the selector as target' {
            Send-SbxProcessInput -Pid 4242424 -Value 'x' -ErrorVariable failed -ErrorAction SilentlyContinue
            Send-SbxProcessInput -Tag 'nope' -Value 'x' -ErrorVariable +failed -ErrorAction SilentlyContinue
            $failed.Count | Should -Be 2
            $failed | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'NotFound,*' }
            $failed | ForEach-Object { $_.CategoryInfo.Category | Should -Be 'ObjectNotFound' }
            $failed[0].TargetObject | Should -Be 'pid 4242424'
            $failed[1].TargetObject | Should -Be "tag 'nope'"
        }
    }

    Context 'Grpc protocol' {
        It 'sends input over HTTP/2' {
            $p = Start-SbxProcess -Session $grpc -Command 'head -n 1 > grpc.txt' -Background
            Send-SbxProcessInput -Session $grpc -Pid $p.Pid -Value "over h2`n"
            (Wait-SbxProcess -Session $grpc -Pid $p.Pid -TimeoutSec 10).ExitCode | Should -Be 0
            [System.IO.File]::ReadAllText((Join-Path $agent.Home 'grpc.txt')) | Should -Be "over h2`n"
        }
    }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestAgent.ps1')
    $agent = Start-TestAgent
    $modulePath = Get-TestModulePath
    Import-Module $modulePath -Force
    # The newest session is the default, so the plain HTTP/1.1 one is made last.
    $grpc = New-SbxSession -Domain $agent.Http2Domain -AccessToken $agent.Token -Protocol Grpc -Name grpc
    $session = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token -Name main

    function Read-RemoteText([string] $Name) {
        $path = Join-Path $agent.Home $Name
        if (Test-Path -LiteralPath $path) { [System.IO.File]::ReadAllText($path).Trim() }
    }

    function Start-WinchReporter([string] $Name, [string] $Tag, $Session = $session) {
        <#
            A bash in a terminal that writes the terminal's size to $Name at start and on every
            SIGWINCH (with a count, so each resize is visible), and runs until stopped.
        #>
        $script = "n=0; report() { n=`$((n+1)); echo `"`$n `$(stty size)`" > $Name.tmp; mv $Name.tmp $Name; }; " +
            "trap report WINCH; report; while :; do sleep 0.05; done"
        $p = Start-SbxProcess -Session $Session -Command $script -Pty -Rows 24 -Columns 80 -Background -Tag $Tag
        Wait-Until { (Read-RemoteText $Name) -eq '1 24 80' }
        $p
    }
}

AfterAll {
    Get-SbxProcess -Session $session -ErrorAction SilentlyContinue | Stop-SbxProcess -Session $session -Force -ErrorAction SilentlyContinue
    Get-SbxSession | Remove-SbxSession
    if ($agent) { Stop-TestAgent $agent }
}

Describe 'Set-SbxProcessTerminal' {
    Context 'resizing' {
        It 'resizes the terminal of a running process, which sees SIGWINCH and the new size' {
            $p = Start-WinchReporter 'size-a.txt' 'resize-a'
            $out = Set-SbxProcessTerminal -Pid $p.Pid -Columns 120 -Rows 40
            $out | Should -BeNullOrEmpty
            Wait-Until { (Read-RemoteText 'size-a.txt') -eq '2 40 120' }

            Set-SbxProcessTerminal -Pid $p.Pid -Columns 33 -Rows 11
            Wait-Until { (Read-RemoteText 'size-a.txt') -eq '3 11 33' }
            Stop-SbxProcess -Pid $p.Pid -Force
        }

        It 'selects by -Tag and by the process objects of Get-SbxProcess' {
            $p = Start-WinchReporter 'size-b.txt' 'resize-b'
            Set-SbxProcessTerminal -Tag 'resize-b' -Columns 100 -Rows 30
            Wait-Until { (Read-RemoteText 'size-b.txt') -eq '2 30 100' }
            Get-SbxProcess -Tag 'resize-b' | Set-SbxProcessTerminal -Columns 90 -Rows 20
            Wait-Until { (Read-RemoteText 'size-b.txt') -eq '3 20 90' }
            Stop-SbxProcess -Pid $p.Pid -Force
        }

        It 'does nothing with -WhatIf' {
            $p = Start-WinchReporter 'size-c.txt' 'resize-c'
            Set-SbxProcessTerminal -Pid $p.Pid -Columns 120 -Rows 40 -WhatIf
            Start-Sleep -Milliseconds 500
            Read-RemoteText 'size-c.txt' | Should -Be '1 24 80'
            Start-SbxProcess -Command "stty size < /proc/$($p.Pid)/fd/0" -AsText | Should -Be '24 80'
            Stop-SbxProcess -Pid $p.Pid -Force
        }
    }

    Context 'errors' {
        It 'writes an error for a process without a terminal' {
            $p = Start-SbxProcess -Command 'exec sleep 60' -Background
            Set-SbxProcessTerminal -Pid $p.Pid -Columns 100 -Rows 30 -ErrorVariable failed -ErrorAction SilentlyContinue
            $failed.Count | Should -Be 1
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'FailedPrecondition,*'
            $failed[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
            $failed[0].TargetObject | Should -Be "pid $($p.Pid)"
            $failed[0].Exception.Message | Should -BeLike '*tty*'
            Stop-SbxProcess -Pid $p.Pid -Force
        }

        It 'writes an error for a terminal process that has ended' {
            $p = Start-SbxProcess -Command 'exit 0' -Pty -Background
            $null = Wait-SbxProcess -Pid $p.Pid
            Set-SbxProcessTerminal -Pid $p.Pid -Columns 100 -Rows 30 -ErrorVariable failed -ErrorAction SilentlyContinue
            $failed.Count | Should -Be 1
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'FailedPrecondition,*'
        }

        It 'writes a not-found error for an unknown pid or tag, with the selector as target' {
            Set-SbxProcessTerminal -Pid 4242424 -Columns 100 -Rows 30 -ErrorVariable failed -ErrorAction SilentlyContinue
            Set-SbxProcessTerminal -Tag 'nope' -Columns 100 -Rows 30 -ErrorVariable +failed -ErrorAction SilentlyContinue
            $failed.Count | Should -Be 2
            $failed | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'NotFound,*' }
            $failed | ForEach-Object { $_.CategoryInfo.Category | Should -Be 'ObjectNotFound' }
            $failed[0].TargetObject | Should -Be 'pid 4242424'
            $failed[1].TargetObject | Should -Be "tag 'nope'"
        }

        It 'rejects a size of zero' {
            { Set-SbxProcessTerminal -Pid 1 -Columns 0 -Rows 30 -ErrorAction Stop } |
                Should -Throw -ErrorId 'ParameterArgumentValidationError,ScaleBox.Sandbox.Commands.SetSbxProcessTerminalCommand'
        }
    }

    Context 'Grpc protocol' {
        It 'resizes over HTTP/2' {
            $p = Start-WinchReporter 'size-g.txt' 'resize-g' -Session $grpc
            Set-SbxProcessTerminal -Session $grpc -Pid $p.Pid -Columns 132 -Rows 43
            Wait-Until { (Read-RemoteText 'size-g.txt') -eq '2 43 132' }
            Stop-SbxProcess -Session $grpc -Pid $p.Pid -Force
        }
    }
}

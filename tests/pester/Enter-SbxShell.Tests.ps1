BeforeAll {
    . (Join-Path $PSScriptRoot 'TestAgent.ps1')
    $agent = Start-TestAgent
    $modulePath = Get-TestModulePath
    Import-Module $modulePath -Force
    $pwsh = @(Get-PwshCommand)

    # The client library, to see and start processes in the sandbox without going through the cmdlets under test.
    $client = [ScaleBox.Sandbox.Client.Transport.SandboxClient]::new(
        [ScaleBox.Sandbox.Client.Transport.SandboxClientOptions]::new(
            [ScaleBox.Sandbox.Client.Transport.SandboxEndpoint]::Parse($agent.Domain, $true),
            [ScaleBox.Sandbox.Client.Transport.AccessToken]::new($agent.Token)))
    $eventType = [ScaleBox.Sandbox.Client.Processes.SandboxProcessEvent]
    $streamType = [System.Collections.Generic.IAsyncEnumerable`1].MakeGenericType($eventType)
    $enumeratorType = [System.Collections.Generic.IAsyncEnumerator`1].MakeGenericType($eventType)
    $openStreams = [System.Collections.Generic.List[object]]::new()

    function Get-RemoteProcessId {
        [uint32[]] @($client.Processes.ListAsync().GetAwaiter().GetResult() | ForEach-Object Pid)
    }

    function Start-RemoteProcess([ScaleBox.Sandbox.Client.Processes.SandboxProcessStartInfo] $Info) {
        <# Starts a process in the sandbox and returns its pid; the stream stays open until AfterAll. #>
        $stream = $client.Processes.StartAsync($Info, [System.Threading.CancellationToken]::None)
        $enumerator = $streamType.GetMethod('GetAsyncEnumerator').Invoke($stream, @([System.Threading.CancellationToken]::None))
        $openStreams.Add($enumerator)
        $moved = $enumeratorType.GetMethod('MoveNextAsync').Invoke($enumerator, @()).AsTask().GetAwaiter().GetResult()
        $moved | Should -BeTrue
        $enumeratorType.GetProperty('Current').GetValue($enumerator).Pid
    }

    function Stop-RemoteProcesses {
        foreach ($id in Get-RemoteProcessId) {
            try {
                $client.Processes.SendSignalAsync([ScaleBox.Sandbox.Client.Processes.SandboxProcessSelector]::ByPid($id),
                    [ScaleBox.Sandbox.Client.Processes.SandboxSignal]::Kill).GetAwaiter().GetResult()
            }
            catch {
                # Ended meanwhile.
            }
        }
    }
}

AfterAll {
    # The agent is stopped with SIGKILL, which would orphan the shells: end them first.
    if ($client) {
        Stop-RemoteProcesses
        foreach ($enumerator in $openStreams) {
            try { $null = $enumeratorType.GetMethod('DisposeAsync').Invoke($enumerator, @()).AsTask().Wait(5000) } catch { }
        }
        $client.Dispose()
    }
    Stop-TestAgent $agent
}

Describe 'Enter-SbxShell without a console' {
    It 'refuses with NoConsole in a host that is not the console host, and starts nothing' {
        $before = Get-RemoteProcessId
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript('param($Module, $Domain, $Token)
                Import-Module $Module
                $session = New-SbxSession -Domain $Domain -AccessToken $Token
                try { Enter-SbxShell -Session $session } catch { $_ }').
                AddArgument($modulePath).AddArgument($agent.Domain).AddArgument($agent.Token)
            $result = @($ps.Invoke())
        }
        finally {
            $ps.Dispose()
        }
        $result.Count | Should -Be 1
        $result[0].FullyQualifiedErrorId | Should -BeLike 'NoConsole,*'
        $result[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
        $result[0].Exception.Message | Should -BeLike "*host is 'Default Host'*"
        $result[0].Exception.Message | Should -BeLike '*Start-SbxProcess*Send-SbxProcessInput*'
        Get-RemoteProcessId | Should -Be $before
    }

    It 'refuses with NoConsole in a child PowerShell whose standard input and output are redirected' {
        $script = @'
Import-Module $env:SBX_TEST_MODULE
$null = New-SbxSession -Domain $env:SBX_TEST_DOMAIN -AccessToken $env:SBX_TEST_TOKEN
try {
    Enter-SbxShell -Command 'echo should-not-run'
    'NO-ERROR'
}
catch {
    'ERR=' + $_.FullyQualifiedErrorId
    'MSG=' + $_.Exception.Message
}
'@
        $env:SBX_TEST_MODULE = $modulePath
        $env:SBX_TEST_DOMAIN = $agent.Domain
        $env:SBX_TEST_TOKEN = $agent.Token
        try {
            # Piped input and captured output: neither end is a console.
            $output = @('' | & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -Command $script 2>&1 | ForEach-Object { "$_" })
        }
        finally {
            Remove-Item Env:SBX_TEST_MODULE, Env:SBX_TEST_DOMAIN, Env:SBX_TEST_TOKEN -ErrorAction SilentlyContinue
        }
        $output | Should -Contain 'ERR=NoConsole,ScaleBox.Sandbox.Commands.EnterSbxShellCommand'
        ($output -join "`n") | Should -Match 'MSG=Enter-SbxShell needs an interactive console, and standard input is redirected.*Start-SbxProcess'
        $output | Should -Not -Contain 'NO-ERROR'
    }
}

Describe 'Enter-SbxShell in a terminal (driven through tmux)' {
    BeforeAll {
        $skipReason = if (-not ($IsLinux -or $IsMacOS)) {
            'Enter-SbxShell drives Linux and macOS terminals only.'
        }
        elseif (-not (Get-Command tmux -CommandType Application -ErrorAction SilentlyContinue)) {
            'tmux is not installed (apt-get install -y tmux); these tests drive Enter-SbxShell in a tmux terminal.'
        }
        else {
            $null
        }
        if ($skipReason) {
            return
        }

        $socket = 'sbx-test-' + [guid]::NewGuid().ToString('N').Substring(0, 10)
        $target = 'shell'
        $work = Join-Path ([System.IO.Path]::GetTempPath()) $socket
        New-Item -ItemType Directory -Path $work | Out-Null

        function Invoke-Tmux {
            $output = & tmux -L $socket @args 2>&1
            if ($LASTEXITCODE -ne 0) {
                throw "tmux $($args -join ' ') failed: $output"
            }
            $output
        }

        function Get-Pane {
            <# Everything the terminal shows and has scrolled off, wrapped lines joined. #>
            (Invoke-Tmux capture-pane -p -J -S -2000 -t $target) -join "`n"
        }

        function Wait-Pane([string] $Pattern, [int] $Count = 1, [int] $TimeoutSec = 30) {
            <# Polls the terminal until $Pattern matches at least $Count times; returns the last match. #>
            $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
            while ($true) {
                $text = Get-Pane
                $found = [regex]::Matches($text, $Pattern, 'Multiline')
                if ($found.Count -ge $Count) {
                    return $found[$found.Count - 1]
                }
                if ([DateTime]::UtcNow -gt $deadline) {
                    throw "No '$Pattern' (x$Count) in the terminal after $TimeoutSec s. It shows:`n$text"
                }
                Start-Sleep -Milliseconds 100
            }
        }

        function Send-Line([string] $Text) {
            Invoke-Tmux send-keys -t $target -l $Text | Out-Null
            Invoke-Tmux send-keys -t $target Enter | Out-Null
        }

        function Send-Key([string] $Key) {
            Invoke-Tmux send-keys -t $target $Key | Out-Null
        }

        function Get-PaneSize {
            $width, $height = (Invoke-Tmux display-message -p -t $target '#{pane_width} #{pane_height}') -split ' '
            [pscustomobject]@{ Columns = [int] $width; Rows = [int] $height }
        }

        function Wait-Prompt([int] $Count) {
            <# The local PowerShell prompt (set by the setup script), seen at least $Count times. #>
            $null = Wait-Pane '^PS-READY> ' -Count $Count
        }

        function Enter-Shell([string] $CommandLine) {
            <# Types a command that runs Enter-SbxShell and waits until it has the terminal; returns the pid. #>
            Send-Line $CommandLine
            $connected = Wait-Pane 'Connected to pid (\d+)\. Press Ctrl\+\] to detach\.' -Count (++$state.Connections)
            # The message comes just before raw mode: let it take effect before typing on.
            Start-Sleep -Milliseconds 500
            [uint32] $connected.Groups[1].Value
        }

        # An interactive PowerShell, as a user has it: the module imported, a session to the agent, a plain prompt.
        $setup = Join-Path $work 'setup.ps1'
        @"
Import-Module '$($modulePath -replace "'", "''")'
`$null = New-SbxSession -Domain '$($agent.Domain)' -AccessToken `$env:SBX_TEST_TOKEN
Remove-Item Env:SBX_TEST_TOKEN
Set-PSReadLineOption -PredictionSource None -HistorySaveStyle SaveNothing
function global:prompt { 'PS-READY> ' }
"@ | Set-Content -LiteralPath $setup

        $quote = { param($word) "'" + ($word -replace "'", "'\''") + "'" }
        $commandLine = (@($pwsh) + @('-NoProfile', '-NoExit', '-File', $setup) | ForEach-Object { & $quote $_ }) -join ' '
        # The token reaches the terminal's PowerShell through the environment the tmux server starts with, not a command line.
        $env:SBX_TEST_TOKEN = $agent.Token
        try {
            Invoke-Tmux -f /dev/null new-session -d -s $target -x 100 -y 30 $commandLine | Out-Null
        }
        finally {
            Remove-Item Env:SBX_TEST_TOKEN -ErrorAction SilentlyContinue
        }
        Invoke-Tmux set-option -t $target remain-on-exit on | Out-Null
        # What the steps below share: how many local prompts and connections the terminal has shown, the shell's pid.
        $state = @{ Prompts = 1; Connections = 0; ShellPid = [uint32] 0 }
        Wait-Prompt $state.Prompts
        $initialSize = Get-PaneSize
        $sleepSeconds = '9{0}.5' -f (Get-Random -Minimum 100 -Maximum 999)
    }

    AfterAll {
        if (-not $skipReason) {
            & tmux -L $socket kill-server 2>&1 | Out-Null
            Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue
        }
    }

    It 'runs -Command in a terminal, with -WorkingDirectory and -Environment, and returns its exit with -PassThru' {
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason; return }
        $directory = $agent.Home
        Send-Line ('$r = Enter-SbxShell -Command ''echo "cmd-$((3*5)):$TERM:$SBX_T:$(pwd)"; exit 7'' -Environment @{ SBX_T = ''x1'' } ' +
            "-WorkingDirectory '$directory' -PassThru; `"CMD-EXIT=`$(`$r.ExitCode):`$(`$r.GetType().Name)`"")
        $null = Wait-Pane 'Connected to pid \d+\.' -Count (++$state.Connections)
        $null = Wait-Pane ('^cmd-15:xterm-256color:x1:' + [regex]::Escape($directory) + '\s*$')
        $null = Wait-Pane '^CMD-EXIT=7:SandboxProcessExit\s*$'
        Wait-Prompt (++$state.Prompts)
    }

    It 'opens an interactive login shell on a pseudo-terminal' {
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason; return }
        # The lines after it print as soon as it returns, before PSReadLine takes the terminal back (and resets it).
        $state.ShellPid = Enter-Shell "Enter-SbxShell; 'after-1', 'after-2'"
        Send-Line 'echo hello-$((6*7)); echo "TTY=$(tty)"; echo "FLAGS=$-"; shopt -q login_shell && echo "LOGIN=$((1+1))"'
        $null = Wait-Pane '^hello-42\s*$'
        $null = Wait-Pane '^TTY=/dev/pts/\d+\s*$'
        $null = Wait-Pane '^FLAGS=\S*i\S*\s*$'
        $null = Wait-Pane '^LOGIN=2\s*$'
        $state.ShellPid | Should -BeIn (Get-RemoteProcessId)
    }

    It 'gives the remote terminal the size of the window' {
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason; return }
        Send-Line 'echo "SIZE-A=$(stty size)"'
        $size = Wait-Pane '^SIZE-A=(\d+) (\d+)\s*$'
        "$($size.Groups[1].Value) $($size.Groups[2].Value)" | Should -Be "$($initialSize.Rows) $($initialSize.Columns)"
    }

    It 'follows the window when it is resized' {
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason; return }
        Invoke-Tmux resize-window -t $target -x 120 -y 40 | Out-Null
        $wanted = Get-PaneSize
        $wanted.Columns | Should -Be 120
        $seen = $null
        foreach ($attempt in 1..20) {
            Send-Line "echo `"SIZE-B$attempt=`$(stty size)`""
            $seen = Wait-Pane "^SIZE-B$attempt=(\d+ \d+)\s*$"
            if ($seen.Groups[1].Value -eq "$($wanted.Rows) $($wanted.Columns)") {
                break
            }
            Start-Sleep -Milliseconds 250
        }
        $seen.Groups[1].Value | Should -Be "$($wanted.Rows) $($wanted.Columns)"
    }

    It 'sends Ctrl+C to the remote process instead of stopping the cmdlet' {
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason; return }
        Send-Line "echo SLEEP-START; sleep $sleepSeconds; echo NOT-INTERRUPTED"
        $null = Wait-Pane '^SLEEP-START\s*$'
        $deadline = [DateTime]::UtcNow.AddSeconds(10)
        while (-not (Get-Process -Name sleep -ErrorAction SilentlyContinue | Where-Object CommandLine -EQ "sleep $sleepSeconds")) {
            [DateTime]::UtcNow | Should -BeLessThan $deadline -Because 'the sleep should have started in the sandbox'
            Start-Sleep -Milliseconds 100
        }
        Send-Key 'C-c'
        Send-Line 'echo "AFTER-INT=$?"'
        $null = Wait-Pane '^AFTER-INT=130\s*$'
        Get-Pane | Should -Not -Match '(?m)^NOT-INTERRUPTED'
        Get-Process -Name sleep -ErrorAction SilentlyContinue | Where-Object CommandLine -EQ "sleep $sleepSeconds" | Should -BeNullOrEmpty
        # Still in the remote shell, not back at the PowerShell prompt.
        ([regex]::Matches((Get-Pane), '(?m)^PS-READY> ')).Count | Should -Be $state.Prompts
        $state.ShellPid | Should -BeIn (Get-RemoteProcessId)
    }

    It 'detaches with Ctrl+], says how to reattach, and leaves the shell running' {
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason; return }
        Send-Key 'C-]'
        $null = Wait-Pane "^Detached from pid $($state.ShellPid), which is still running\.\s*$"
        $null = Wait-Pane "^Reattach with: Enter-SbxShell -Pid $($state.ShellPid)\b"
        Wait-Prompt (++$state.Prompts)
        $state.ShellPid | Should -BeIn (Get-RemoteProcessId)
    }

    It 'restores the terminal when it detaches' {
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason; return }
        # Still in raw mode, output processing would be off: the second line would not start at column 0.
        $null = Wait-Pane '^after-1\s*\n^after-2\s*$'
    }

    It 'reattaches by -Pid with the size of the window, and returns the exit with -PassThru' {
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason; return }
        Invoke-Tmux resize-window -t $target -x $initialSize.Columns -y $initialSize.Rows | Out-Null
        $attached = Enter-Shell "`$r = Enter-SbxShell -Pid $($state.ShellPid) -PassThru; `"SHELL-EXIT=`$(`$r.ExitCode)`"; 'exit-1', 'exit-2'"
        $attached | Should -Be $state.ShellPid
        Send-Line 'echo "BACK-$((5*5))=$(stty size)"'
        $null = Wait-Pane "^BACK-25=$($initialSize.Rows) $($initialSize.Columns)\s*$"
        Send-Line 'exit 3'
        $null = Wait-Pane '^SHELL-EXIT=3\s*\n^exit-1\s*\n^exit-2\s*$'
        Wait-Prompt (++$state.Prompts)
        $state.ShellPid | Should -Not -BeIn (Get-RemoteProcessId)
    }

    It 'attaches by -Tag to a terminal process started elsewhere' {
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason; return }
        $tag = 'sbx-tag-' + (Get-Random -Minimum 1000 -Maximum 9999)
        $info = [ScaleBox.Sandbox.Client.Processes.SandboxProcessStartInfo]::ForShell([ScaleBox.Sandbox.Client.Processes.SandboxTerminalSize]::new(80, 24))
        $info.Tag = $tag
        $tagged = Start-RemoteProcess $info
        $attached = Enter-Shell "Enter-SbxShell -Tag $tag; `"TAG-DONE=`$(1+1)`""
        $attached | Should -Be $tagged
        Send-Line 'echo "TAG-$((2*4))=$(stty size)"'
        $null = Wait-Pane "^TAG-8=$($initialSize.Rows) $($initialSize.Columns)\s*$"
        Send-Line 'exit'
        $null = Wait-Pane '^TAG-DONE=2\s*$'
        Wait-Prompt (++$state.Prompts)
    }

    It 'refuses to attach to a process without a terminal, and to an unknown pid' {
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason; return }
        $piped = Start-RemoteProcess ([ScaleBox.Sandbox.Client.Processes.SandboxProcessStartInfo]::ForCommand('sleep 600'))
        Send-Line "try { Enter-SbxShell -Pid $piped } catch { 'ERR-A=' + `$_.FullyQualifiedErrorId + '|' + `$_ }"
        $refused = Wait-Pane '^ERR-A=([^|]+)\|(.*)$'
        $refused.Groups[1].Value | Should -Be 'CannotAttach,ScaleBox.Sandbox.Commands.EnterSbxShellCommand'
        $refused.Groups[2].Value | Should -BeLike "Cannot attach to pid $piped*terminal*"
        Wait-Prompt (++$state.Prompts)
        $piped | Should -BeIn (Get-RemoteProcessId)

        Send-Line "try { Enter-SbxShell -Pid 4000000000 } catch { 'ERR-B=' + `$_.FullyQualifiedErrorId }"
        $null = Wait-Pane '^ERR-B=NotFound,ScaleBox.Sandbox.Commands.EnterSbxShellCommand\s*$'
        Wait-Prompt (++$state.Prompts)
    }

    It 'refuses a working directory that does not exist, before touching the terminal' {
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason; return }
        Send-Line "try { Enter-SbxShell -WorkingDirectory /no/such/dir-$(Get-Random) } catch { 'ERR-C=' + `$_.FullyQualifiedErrorId }"
        $null = Wait-Pane '^ERR-C=InvalidArgument,ScaleBox.Sandbox.Commands.EnterSbxShellCommand\s*$'
        Wait-Prompt (++$state.Prompts)
    }

    It 'gives the console back when the pipeline is stopped, and leaves the shell running' {
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason; return }
        $stopped = Enter-Shell 'Enter-SbxShell'
        Send-Line 'echo "BEFORE-STOP-$((4*4))"'
        $null = Wait-Pane '^BEFORE-STOP-16\s*$'
        # What Ctrl+C does to PowerShell outside raw mode: SIGINT to the console's PowerShell.
        $localPwsh = Invoke-Tmux display-message -p -t $target '#{pane_pid}'
        & kill -INT $localPwsh
        Wait-Prompt (++$state.Prompts)
        $stopped | Should -BeIn (Get-RemoteProcessId)
        Send-Line "'stop-1', 'stop-2'"
        $null = Wait-Pane '^stop-1\s*\n^stop-2\s*$'
        Wait-Prompt (++$state.Prompts)
    }
    It 'says on Ctrl+C that a Start-SbxProcess process still runs, with its pid and how to follow or stop it' {
        # In this console because the note goes to the host: the pipeline is already stopping.
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason; return }
        Send-Line "Start-SbxProcess -Command 'for i in `$(seq 1 600); do echo tick-`$i; sleep 0.1; done' -AsText"
        $null = Wait-Pane '^tick-3\s*$'
        $localPwsh = Invoke-Tmux display-message -p -t $target '#{pane_pid}'
        & kill -INT $localPwsh
        $note = Wait-Pane 'Process (\d+) still runs in the sandbox\. Follow it again with .Receive-SbxProcess -Pid (\d+).'
        Wait-Prompt (++$state.Prompts)
        $running = [uint32] $note.Groups[1].Value
        $note.Groups[2].Value | Should -Be $note.Groups[1].Value
        $running | Should -BeIn (Get-RemoteProcessId) -Because 'Ctrl+C stops the local stream only'
        (Get-Pane) | Should -Match "Stop-SbxProcess -Pid $running"

        # Receive-SbxProcess says the same when Ctrl+C detaches it.
        Send-Line "Receive-SbxProcess -Pid $running"
        $null = Wait-Pane '^tick-\d+\s*$' -Count 5
        & kill -INT $localPwsh
        $null = Wait-Pane "Process $running still runs in the sandbox\." -Count 2
        Wait-Prompt (++$state.Prompts)
        Send-Line "Stop-SbxProcess -Pid $running -Force"
        Wait-Prompt (++$state.Prompts)
    }
}

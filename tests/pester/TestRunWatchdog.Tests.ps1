#Requires -Modules Pester
# The bound build.ps1 puts on each test run: a run that hangs is stopped with the stacks of its
# .NET processes written out, and nothing it started is left running.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestAgent.ps1')
    . (Join-Path $PSScriptRoot '../TestRunWatchdog.ps1')

    function Start-Pwsh([string] $Command) {
        $pwsh = Get-PwshCommand
        $start = [System.Diagnostics.ProcessStartInfo]::new($pwsh[0])
        foreach ($argument in @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-Command', $Command)) {
            $start.ArgumentList.Add($argument)
        }
        $start.UseShellExecute = $false
        $start.RedirectStandardOutput = $true
        [System.Diagnostics.Process]::Start($start)
    }

    function Test-ProcessAlive([int] $Id) {
        try { -not [System.Diagnostics.Process]::GetProcessById($Id).HasExited } catch [System.ArgumentException] { $false }
    }
}

Describe 'Wait-TestRun' {
    It 'returns $true and writes nothing for a run that ends in time' {
        $run = Start-Pwsh 'exit 3'
        $said = Wait-TestRun -Process $run -Timeout ([TimeSpan]::FromMinutes(2)) -Name 'quick run' 6>&1

        $said | Should -BeExactly @($true)
        $run.ExitCode | Should -Be 3
    }

    It 'stops a run that outlives its bound, with the stacks of its processes, and ends what it started' -Skip:(-not (Test-Path -LiteralPath '/proc/self/stat')) {
        # The run starts a process of its own (its id on the first line), then hangs in Start-Sleep.
        $run = Start-Pwsh '$sleeper = Start-Process sleep 600 -PassThru; [Console]::Out.WriteLine($sleeper.Id); [Console]::Out.Flush(); Start-Sleep -Seconds 600'
        $sleeperId = [int]$run.StandardOutput.ReadLine()
        Test-ProcessAlive $sleeperId | Should -BeTrue

        $said = @(Wait-TestRun -Process $run -Timeout ([TimeSpan]::FromSeconds(2)) -Name 'hanging run' 6>&1)

        $said[-1] | Should -BeExactly $false
        $text = ($said | Select-Object -SkipLast 1) -join "`n"
        $text | Should -Match 'hanging run did not end within'
        $text | Should -Match "-- process $($run.Id) "
        # The managed stack of the hung pwsh shows where it waits.
        $text | Should -Match 'StartSleepCommand'
        $run.HasExited | Should -BeTrue
        # Process.Kill($true) is asynchronous for the descendants: give the signal a moment.
        $deadline = [DateTime]::UtcNow.AddSeconds(10)
        while ((Test-ProcessAlive $sleeperId) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
        Test-ProcessAlive $sleeperId | Should -BeFalse
    }
}

Describe 'Get-DescendantProcessId' -Skip:(-not (Test-Path -LiteralPath '/proc/self/stat')) {
    It 'finds children and grandchildren, and nothing outside the tree' {
        # bash, started from here, starts sleep: sleep is this pwsh's grandchild.
        $start = [System.Diagnostics.ProcessStartInfo]::new('bash')
        foreach ($argument in '-c', 'sleep 600 & echo $!; wait') { $start.ArgumentList.Add($argument) }
        $start.UseShellExecute = $false
        $start.RedirectStandardOutput = $true
        $shell = [System.Diagnostics.Process]::Start($start)
        try {
            $sleepId = [int]$shell.StandardOutput.ReadLine()

            $underShell = @(Get-DescendantProcessId $shell.Id)
            $underSelf = @(Get-DescendantProcessId $PID)

            $underShell | Should -BeExactly @($sleepId)
            $underSelf | Should -Contain $shell.Id
            $underSelf | Should -Contain $sleepId
            $underSelf | Should -Not -Contain $PID
        }
        finally {
            $shell.Kill($true)
            $shell.WaitForExit()
        }
    }
}

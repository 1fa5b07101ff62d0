#Requires -Modules Pester
# The bound build.ps1 puts on each test run: a run that hangs is stopped with the stacks of its
# .NET processes written out, and nothing it started is left running.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestAgent.ps1')
    . (Join-Path $PSScriptRoot '../TestRunWatchdog.ps1')

    function Test-ProcessAlive([int] $Id) {
        try { -not [System.Diagnostics.Process]::GetProcessById($Id).HasExited } catch [System.ArgumentException] { $false }
    }
}

Describe 'Wait-TestRun' {
    It 'returns $true and writes nothing for a run that ends in time' {
        $run = (Start-ChildPwsh -ArgumentList '-Command', 'exit 3').Process
        $said = Wait-TestRun -Process $run -Timeout ([TimeSpan]::FromMinutes(2)) -Name 'quick run' 6>&1

        $said | Should -BeExactly @($true)
        $run.ExitCode | Should -Be 3
    }

    It 'stops a run that outlives its bound, with the stacks of its processes, and ends what it started' -Skip:(-not (Test-Path -LiteralPath '/proc/self/stat')) {
        # The run starts a process of its own (its id written to a file, whole once it is there), then hangs in Start-Sleep.
        $idFile = Join-Path $TestDrive 'sleeper.id'
        $run = (Start-ChildPwsh -ArgumentList '-Command', "`$sleeper = Start-Process sleep 600 -PassThru; Set-Content -LiteralPath '$idFile.part' -Value `$sleeper.Id; Move-Item -LiteralPath '$idFile.part' -Destination '$idFile'; Start-Sleep -Seconds 600").Process
        Wait-Until { Test-Path -LiteralPath $idFile } -TimeoutSec 30
        $sleeperId = [int](Get-Content -LiteralPath $idFile)
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
        Wait-Until { -not (Test-ProcessAlive $sleeperId) } -TimeoutSec 10
        Test-ProcessAlive $sleeperId | Should -BeFalse
    }
}

Describe 'Get-DescendantProcessId' -Skip:(-not (Test-Path -LiteralPath '/proc/self/stat')) {
    It 'finds children and grandchildren, and nothing outside the tree' {
        # bash, started from here, starts sleep: sleep is this pwsh's grandchild.
        $idFile = Join-Path $TestDrive 'sleep.id'
        $shell = Start-LocalBash "sleep 600 & echo `$! > '$idFile.part'; mv '$idFile.part' '$idFile'; wait"
        try {
            Wait-Until { Test-Path -LiteralPath $idFile } -TimeoutSec 30
            $sleepId = [int](Get-Content -LiteralPath $idFile)

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

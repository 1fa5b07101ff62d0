# Load: many sessions and streams from one pwsh. The workload runs in a child pwsh of its own
# (Load/Stream-Load.ps1), so that its peak resident memory (VmHWM in /proc/<pid>/status) is the
# workload's, and what is asserted is a memory bound, never a time.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestAgent.ps1')
    $agent = Start-TestAgent
    $modulePath = (Resolve-Path -LiteralPath (Join-Path $PSScriptRoot '../../out/ScaleBox.Sandbox')).ProviderPath
    Import-Module $modulePath -Force
    $null = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token
}

AfterAll {
    Get-SbxProcess -ErrorAction SilentlyContinue | Stop-SbxProcess -Force -ErrorAction SilentlyContinue
    Get-SbxSession | Remove-SbxSession
    if ($agent) { Stop-TestAgent $agent }
}

Describe 'Load' {
    It 'streams 1 MB from each of 50 sessions x 4 processes run from ForEach-Object -Parallel, all open at once, in under 2 MB of peak memory per stream' {
        $sessions = 50
        $perSession = 4
        $bytes = 1MB
        $streams = $sessions * $perSession
        $go = Join-Path $agent.Home 'go'
        $command = @(Get-PwshCommand)
        $start = [System.Diagnostics.ProcessStartInfo]::new($command[0])
        $arguments = @($command | Select-Object -Skip 1) + @(
            '-NoProfile', '-NonInteractive', '-File', (Join-Path $PSScriptRoot 'Load/Stream-Load.ps1'),
            '-ModulePath', $modulePath, '-Domain', $agent.Domain, '-Token', $agent.Token, '-GoPath', $go,
            '-Sessions', $sessions, '-StreamsPerSession', $perSession, '-Bytes', $bytes)
        foreach ($argument in $arguments) { $start.ArgumentList.Add([string]$argument) }
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        $start.UseShellExecute = $false
        $child = [System.Diagnostics.Process]::Start($start)
        try {
            $stdout = $child.StandardOutput.ReadToEndAsync()
            $stderr = $child.StandardError.ReadToEndAsync()
            # Every stream open on the agent at once before any output flows. Generous: on a busy
            # machine, 50 runspaces importing the module take minutes.
            Wait-Until { @(Get-SbxProcess).Count -ge $streams -or $child.HasExited } -TimeoutSec 1200
            $child.HasExited | Should -BeFalse -Because $stderr.Result
            @(Get-SbxProcess).Count | Should -Be $streams
            New-Item -ItemType File -Path $go | Out-Null
            $child.WaitForExit(1200000) | Should -BeTrue
            $child.ExitCode | Should -Be 0 -Because $stderr.Result
            $result = $stdout.Result | ConvertFrom-Json
        }
        finally {
            if (-not $child.HasExited) { Stop-Process -Id $child.Id -Force -ErrorAction SilentlyContinue }
        }

        $result.Streams | Should -Be $streams
        $result.Complete | Should -Be $streams
        # The peak the load added to a warmed-up pwsh (module imported, one stream run), per stream.
        $perStreamKiB = ($result.PeakAfterKiB - $result.PeakBeforeKiB) / $streams
        Write-Host ("Peak {0:N0} MB before, {1:N0} MB after; {2:N0} KiB per stream; managed heap after a full GC {3:N0} MB" -f
            ($result.PeakBeforeKiB / 1KB), ($result.PeakAfterKiB / 1KB), $perStreamKiB, ($result.HeapAfterGcKiB / 1KB))
        $perStreamKiB | Should -BeLessThan 2048
    }
}

# Load: 50 sessions x 4 process streams from one pwsh, in ForEach-Object -Parallel. The workload runs
# in a fresh pwsh of its own (Load/Stream-Load.ps1), so that its peak resident memory (VmHWM) is the
# workload's. Every process waits, blocked in flock, until all 200 are running at the agent; then
# all are released at once. What is asserted is counts, bytes and a memory bound, never a time.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestAgent.ps1')
    $agent = Start-TestAgent
    $modulePath = Get-TestModulePath
    Import-Module $modulePath -Force
    $null = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token

    function Get-TaggedProcess([string] $Tag) {
        # A listing that fails stops the test: waiting on a count that an error keeps at 0 would never end.
        @(Get-SbxProcess -ErrorAction Stop | Where-Object Tag -EQ $Tag)
    }
}

AfterAll {
    Get-SbxProcess -ErrorAction SilentlyContinue | Stop-SbxProcess -Force -ErrorAction SilentlyContinue
    Get-SbxSession | Remove-SbxSession
    if ($agent) { Stop-TestAgent $agent }
}

# Each protocol carries the streams its own way: gRPC-Web and Connect one HTTP/1.1 connection per
# stream (200 at the agent), gRPC four HTTP/2 streams on each session's connection.
Describe 'Load over <Protocol>: 50 sessions x 4 process streams of 1 MB from one pwsh, in ForEach-Object -Parallel' -ForEach @(
    @{ Protocol = 'GrpcWeb' }
    @{ Protocol = 'Grpc' }
    @{ Protocol = 'Connect' }
) {
    BeforeAll {
        $sessions = 50
        $perSession = 4
        $bytes = 1MB
        $streams = $sessions * $perSession
        $tag = 'load-' + [guid]::NewGuid().ToString('N').Substring(0, 8)
        $domain = if ($Protocol -eq 'Grpc') { $agent.Http2Domain } else { $agent.Domain }

        # The processes take a shared lock on this file before they write anything. .NET takes
        # flock's exclusive lock for FileShare.None, so while $gate is open they all wait, asleep
        # in the kernel; disposing it releases them all at once.
        $gatePath = Join-Path $agent.Home "gate-$tag"
        Set-Content -LiteralPath $gatePath -Value ''
        $gate = [System.IO.File]::Open($gatePath, 'Open', 'ReadWrite', 'None')

        $child = Start-ChildPwsh -ArgumentList @(
            '-File', (Join-Path $PSScriptRoot 'Load/Stream-Load.ps1'),
            '-ModulePath', $modulePath, '-Domain', $domain, '-Protocol', $Protocol, '-Token', $agent.Token, '-GatePath', $gatePath,
            '-Tag', $tag, '-Sessions', $sessions, '-StreamsPerSession', $perSession, '-Bytes', $bytes)
        try {
            # Its output only once it has exited (Wait-ChildPwsh): the child waits for the gate, so
            # waiting for its output before the release would wait forever.
            # Generous: on a busy machine 50 runspaces importing the module take a while. One list
            # call every half second; the processes themselves poll nothing.
            $deadline = [DateTime]::UtcNow.AddSeconds(600)
            $waiting = @()
            while ($waiting.Count -lt $streams -and -not $child.Process.HasExited -and [DateTime]::UtcNow -lt $deadline) {
                Start-Sleep -Milliseconds 500
                $waiting = Get-TaggedProcess $tag
            }
            Write-Host "$($waiting.Count) of $streams processes running at the agent, waiting at the gate; releasing them."
            $gate.Dispose()
            $run = Wait-ChildPwsh $child -TimeoutSec 600 | ConvertFrom-Json
            $run | Add-Member -NotePropertyName WaitingAtRelease -NotePropertyValue $waiting
            $run | Add-Member -NotePropertyName StandardError -NotePropertyValue $child.Error.Result
        }
        finally {
            $gate.Dispose()
            if (-not $child.Process.HasExited) {
                $child.Process.Kill($true)
                $null = $child.Process.WaitForExit(10000)
            }
        }
        $perStreamKiB = ($run.PeakAfterKiB - $run.PeakBeforeKiB) / $streams
        Write-Host ("$($Protocol): peak {0:N0} MB after warming up, {1:N0} MB after the load: {2:N0} KiB per stream; managed heap after a full GC {3:N0} MB" -f
            ($run.PeakBeforeKiB / 1KB), ($run.PeakAfterKiB / 1KB), $perStreamKiB, ($run.HeapAfterGcKiB / 1KB))
    }

    It 'has all 200 processes running at the agent at one moment, before any is released' {
        $run.WaitingAtRelease.Count | Should -Be $streams
        @($run.WaitingAtRelease.Pid | Sort-Object -Unique).Count | Should -Be $streams
        # The very processes whose streams were read, each still waiting at that moment.
        @($run.Streams.Pid | Sort-Object) | Should -Be @($run.WaitingAtRelease.Pid | Sort-Object)
    }

    It 'receives every byte of every stream and its exit code 0, with no error' {
        $run.Sessions | Should -Be $sessions
        $run.Errors | Should -BeNullOrEmpty
        $run.StandardError | Should -BeNullOrEmpty
        @($run.Streams).Count | Should -Be $streams
        @($run.Streams | Where-Object { $_.Bytes -ne $bytes }) | Should -BeNullOrEmpty
        @($run.Streams | Where-Object { $_.ExitCode -ne 0 }) | Should -BeNullOrEmpty
    }

    It 'adds under 2 MB of peak memory per stream to the pwsh that runs them' {
        # Where it goes: each runspace of ForEach-Object -Parallel costs about 1.5 MB and the module
        # imported into it 0.3 MB (together 0.45 MB per stream); Receive-Job -Wait keeps every object
        # it has returned until it returns, so each stream's records (1 MB of bytes, their text not
        # decoded) stay until its runspace's four jobs end. Text decoded eagerly, or a client holding
        # a whole output besides, would each add another 1 MB or more per stream.
        $perStreamKiB | Should -BeLessThan 2048
    }

    It 'leaves the agent answering, with none of the processes left running' {
        Get-TaggedProcess $tag | Should -BeNullOrEmpty
        Start-SbxProcess -Command 'echo still here' | Should -Be 'still here'
    }
}

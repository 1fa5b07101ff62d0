<#
.SYNOPSIS
    The workload of Load.Tests.ps1, run in a pwsh of its own so that its peak memory (VmHWM) is its own:
    -Sessions sessions made in a ForEach-Object -Parallel, each running -StreamsPerSession processes
    as jobs whose output (-Bytes each, as records) is read as it comes with Receive-Job -Wait.
.DESCRIPTION
    Every process first waits for the file -GoPath, so that all the streams are open at once on the
    agent before any output flows; the caller makes that file once Get-SbxProcess shows them all.
    Writes one JSON line: the bytes and exit codes seen per stream, the peak memory before the load
    (module imported, one session used) and at the end, and the managed heap after a full collection.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $Domain,
    [Parameter(Mandatory)] [string] $Token,
    [Parameter(Mandatory)] [string] $GoPath,
    [int] $Sessions = 50,
    [int] $StreamsPerSession = 4,
    [long] $Bytes = 1MB
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

function Get-PeakKiB { [long](@(Get-Content /proc/self/status) -match '^VmHWM:' -replace '\D', '')[0] }

Import-Module $ModulePath
# Warm up what every run pays once (the module, a session, a process stream) before the baseline.
$warm = New-SbxSession -Domain $Domain -AccessToken $Token
$null = Start-SbxProcess -Command 'echo warm' -Session $warm -AsRecord
Remove-SbxSession $warm
$before = Get-PeakKiB

$command = "while [ ! -e '$GoPath' ]; do sleep 0.1; done; yes 0123456789abcdef | head -c $Bytes"
$streams = 1..$Sessions | ForEach-Object -ThrottleLimit $Sessions -Parallel {
    Import-Module $using:ModulePath
    $session = New-SbxSession -Domain $using:Domain -AccessToken $using:Token
    try {
        $jobs = foreach ($i in 1..$using:StreamsPerSession) {
            Start-SbxProcess -Command $using:command -Session $session -AsRecord -AsJob
        }
        $received = @{}
        $exits = @{}
        $jobs | Receive-Job -Wait -AutoRemoveJob | ForEach-Object {
            if ($null -ne $_.Bytes) { $received[$_.Pid] = [long]$received[$_.Pid] + $_.Bytes.Length }
            elseif ($null -ne $_.ExitCode) { $exits[$_.Pid] = $_.ExitCode }
        }
        foreach ($id in $exits.Keys) {
            [pscustomobject]@{ Pid = $id; Bytes = [long]$received[$id]; ExitCode = $exits[$id] }
        }
    }
    finally {
        Remove-SbxSession $session
    }
}
$after = Get-PeakKiB
[GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
[pscustomobject]@{
    Streams        = @($streams).Count
    Complete       = @($streams | Where-Object { $_.Bytes -eq $Bytes -and $_.ExitCode -eq 0 }).Count
    PeakBeforeKiB  = $before
    PeakAfterKiB   = $after
    HeapAfterGcKiB = [long]([GC]::GetTotalMemory($true) / 1KB)
} | ConvertTo-Json -Compress

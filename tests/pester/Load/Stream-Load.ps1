<#
.SYNOPSIS
    The workload of Load.Tests.ps1, run in a pwsh of its own so that its peak memory (VmHWM) is its own:
    -Sessions sessions (over -Protocol) made in a ForEach-Object -Parallel, each running -StreamsPerSession processes
    as jobs whose output (-Bytes each, as records) is read as it comes with Receive-Job -Wait.
.DESCRIPTION
    Every process is tagged -Tag and first waits for a shared lock on the file -GatePath (flock -s),
    which the caller holds exclusively until the agent lists them all, so that all the streams are
    open on the agent at once before any output flows. A process waiting for the lock sleeps in
    the kernel: it costs nothing while the others start.
    Writes one JSON line: per stream the pid, the bytes received and the exit code; the errors the
    jobs wrote; the peak memory (VmHWM) before the load (module imported, one stream run in a
    parallel runspace) and after it; the managed heap after a full collection.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $Domain,
    [Parameter(Mandatory)] [string] $Token,
    [Parameter(Mandatory)] [string] $GatePath,
    [Parameter(Mandatory)] [string] $Tag,
    [string] $Protocol = 'GrpcWeb',
    [int] $Sessions = 50,
    [int] $StreamsPerSession = 4,
    [long] $Bytes = 1MB
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

function Get-PeakKiB { [long](@(Get-Content -LiteralPath /proc/self/status) -match '^VmHWM:' -replace '\D', '')[0] }

Import-Module $ModulePath
# Warm up what any run pays once, whatever its size: the module, ForEach-Object -Parallel, a
# session, a process stream as a job. What the peak grows by after this belongs to the streams.
$null = 1 | ForEach-Object -Parallel {
    Import-Module $using:ModulePath
    $session = New-SbxSession -Domain $using:Domain -AccessToken $using:Token -Protocol $using:Protocol
    try { Start-SbxProcess -Command 'echo warm' -Session $session -AsRecord -AsJob | Receive-Job -Wait -AutoRemoveJob }
    finally { Remove-SbxSession $session }
}
[GC]::Collect()
$before = Get-PeakKiB

# Released, the shell becomes the one process that writes: 200 at once are enough for two cores.
$command = "flock -s '$GatePath' true && exec head -c $Bytes /dev/zero"
$sessionResults = 1..$Sessions | ForEach-Object -ThrottleLimit $Sessions -Parallel {
    Import-Module $using:ModulePath
    $session = New-SbxSession -Domain $using:Domain -AccessToken $using:Token -Protocol $using:Protocol
    try {
        $jobs = foreach ($i in 1..$using:StreamsPerSession) {
            Start-SbxProcess -Command $using:command -Tag $using:Tag -Session $session -AsRecord -AsJob
        }
        $received = @{}
        $exits = @{}
        # Each record is counted and dropped as it comes: nothing here keeps the output.
        $jobs | Receive-Job -Wait -AutoRemoveJob -ErrorAction SilentlyContinue -ErrorVariable jobErrors | ForEach-Object {
            $record = $_
            switch ($record.GetType().Name) {
                'SandboxProcessOutput' { $received[$record.Pid] = [long]$received[$record.Pid] + $record.Bytes.Length }
                'SandboxProcessExit' { $exits[$record.Pid] = $record.ExitCode }
            }
        }
        [pscustomobject]@{
            Streams = @(foreach ($id in @($received.Keys) + @($exits.Keys) | Sort-Object -Unique) {
                    [pscustomobject]@{ Pid = $id; Bytes = [long]$received[$id]; ExitCode = $exits[$id] }
                })
            Errors  = @($jobErrors | ForEach-Object { "$_" })
        }
    }
    finally {
        Remove-SbxSession $session
    }
}
$after = Get-PeakKiB
[pscustomobject]@{
    Streams        = @($sessionResults | ForEach-Object Streams)
    Errors         = @($sessionResults | ForEach-Object Errors)
    Sessions       = @($sessionResults).Count
    PeakBeforeKiB  = $before
    PeakAfterKiB   = $after
    HeapAfterGcKiB = [long]([GC]::GetTotalMemory($true) / 1KB)
} | ConvertTo-Json -Compress -Depth 4

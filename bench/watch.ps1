<#
.SYNOPSIS
    Latency and throughput of sandbox directory watches: Register-SbxWatcher next to the official
    @scalebox/sdk 3.7.0's watchDir, on the same local agent in the same run.
.DESCRIPTION
    Measures (not a test; nothing here asserts a time, but a lost event fails the run):
      - latency: an empty file is created locally under the agent's home (the local agent's files are
        this machine's), and the time until its Create event is in PowerShell's event queue
        (Wait-Event returns it) is taken, -Writes times in sequence: median and p99;
      - throughput: -Burst empty files created in a tight loop, and the events per second until the
        last of their Create events is in the queue;
      - the same burst streamed by Get-SbxWatcherEvent -Path into the pipeline: events per second
        between the first and the last event received;
      - the same two with the SDK's watchDir in Node (bench/sdk-watch.mjs; the SDK from
        tests/interop/node_modules, so run `npm ci` there first), its events taken in a for-await loop.
    Run it with `dotnet pwsh ./bench/watch.ps1` after `dotnet pwsh ./build.ps1 build`.
#>
param(
    [int] $Writes = 1000,
    [int] $Burst = 5000,
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/ScaleBox.Sandbox')
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$root = Join-Path $PSScriptRoot '..'
. (Join-Path $root 'tests/pester/TestAgent.ps1')
. (Join-Path $PSScriptRoot 'BenchCommon.ps1')

function Get-Percentile([double[]] $Values, [double] $Percent) {
    $sorted = $Values | Sort-Object
    $sorted[[int][Math]::Ceiling($Percent / 100 * $sorted.Count) - 1]
}

function Wait-Create([string] $Name, [int] $TimeoutSec = 10) {
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
    while ([DateTime]::UtcNow -lt $deadline) {
        $e = Wait-Event -SourceIdentifier bench.watch -Timeout 1
        if ($e) {
            Remove-Event -EventIdentifier $e.EventIdentifier
            if ($e.SourceEventArgs.Name -eq $Name) { return }
        }
    }
    throw "No event for $Name within $TimeoutSec s."
}

$agent = Start-TestAgent
try {
    Import-Module (Resolve-Path $ModulePath).ProviderPath -Force
    $null = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token

    # The module: events in the runspace's queue.
    $dir = Join-Path $agent.Home 'module'
    New-Item -ItemType Directory -Path $dir | Out-Null
    Register-SbxWatcher -Path $dir -SourceIdentifier bench.watch
    $latencies = [System.Collections.Generic.List[double]]::new()
    $clock = [System.Diagnostics.Stopwatch]::new()
    for ($i = 0; $i -lt $Writes; $i++) {
        $name = "l$i.txt"
        $clock.Restart()
        [System.IO.File]::Create((Join-Path $dir $name)).Dispose()
        Wait-Create $name
        $latencies.Add($clock.Elapsed.TotalMilliseconds)
    }
    $clock.Restart()
    for ($i = 0; $i -lt $Burst; $i++) { [System.IO.File]::Create((Join-Path $dir "b$i")).Dispose() }
    $seen = 0
    $deadline = [DateTime]::UtcNow.AddSeconds(60)
    while ($seen -lt $Burst) {
        if ([DateTime]::UtcNow -gt $deadline) { throw "Only $seen of $Burst burst events came." }
        $e = Wait-Event -SourceIdentifier bench.watch -Timeout 1
        if ($e) {
            Remove-Event -EventIdentifier $e.EventIdentifier
            if ($e.SourceEventArgs.Name -like 'b*' -and $e.SourceEventArgs.ChangeType -eq 'Create') { $seen++ }
        }
    }
    $moduleBurstMs = $clock.Elapsed.TotalMilliseconds
    Unregister-Event -SourceIdentifier bench.watch

    # The same burst through the pipeline: Get-SbxWatcherEvent, the rate between its first and last event.
    $dir2 = Join-Path $agent.Home 'pipeline'
    New-Item -ItemType Directory -Path $dir2 | Out-Null
    $writer = Start-LocalBash "sleep 1; cd '$dir2' && for i in `$(seq 1 $Burst); do : > b`$i; done"
    $received = Get-SbxWatcherEvent -Path $dir2 -TimeoutSec 60 | Where-Object ChangeType -eq 'Create' | Select-Object -First $Burst
    $writer.WaitForExit()
    if (@($received).Count -ne $Burst) { throw "Get-SbxWatcherEvent saw $(@($received).Count) of $Burst burst events." }
    $pipelineRate = [int](($Burst - 1) / ($received[-1].TimeGenerated - $received[0].TimeGenerated).TotalSeconds)

    # The official SDK on the same agent.
    $interop = Join-Path $root 'tests/interop'
    $arguments = @{ token = $agent.Token; folder = $agent.Home; writes = $Writes; burst = $Burst; interop = (Resolve-Path $interop).ProviderPath } | ConvertTo-Json -Compress
    $json = & node (Join-Path $PSScriptRoot 'sdk-watch.mjs') "http://$($agent.Domain)" $arguments
    if ($LASTEXITCODE) { throw "The SDK run failed ($LASTEXITCODE)." }
    $sdk = $json | ConvertFrom-Json

    [pscustomobject]@{ Client = 'Register-SbxWatcher (events queue)'; MedianMs = [Math]::Round((Get-Median $latencies), 2); P99Ms = [Math]::Round((Get-Percentile $latencies 99), 2); BurstEventsPerSec = [int]($Burst / ($moduleBurstMs / 1000)) }
    [pscustomobject]@{ Client = 'Get-SbxWatcherEvent (pipeline)'; MedianMs = $null; P99Ms = $null; BurstEventsPerSec = $pipelineRate }
    [pscustomobject]@{ Client = '@scalebox/sdk 3.7.0 watchDir'; MedianMs = [Math]::Round((Get-Median $sdk.latencies), 2); P99Ms = [Math]::Round((Get-Percentile $sdk.latencies 99), 2); BurstEventsPerSec = [int]($sdk.burstEvents / ($sdk.burstMs / 1000)) }
}
finally {
    Get-SbxSession | Remove-SbxSession
    Stop-TestAgent $agent
}

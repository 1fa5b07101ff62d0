<#
.SYNOPSIS
    Many small items made, read, moved and deleted one cmdlet call each, next to the official
    @scalebox/sdk 3.7.0 doing the same with a few calls in flight, against the same local agent.
.DESCRIPTION
    Measures (not a test; nothing here asserts a time, but a step that leaves the wrong files fails
    the run), each in a fresh child pwsh whose session is already open and whose cmdlets have each
    run once, timed around each pipeline:
      - -Count paths piped into `New-SbxItem -ItemType Directory`;
      - -Count objects with Path and Value piped into `New-SbxItem` (files of a few bytes);
      - `Get-SbxChildItem` of a folder of -Count small files piped into `Get-SbxContent -Raw`;
      - the same listing piped into `Move-SbxItem -Destination <an existing folder>`;
      - the moved files listed and piped into `Remove-SbxItem`;
    each cmdlet with -ThrottleLimit -ThrottleLimit. The SDK in Node (bench/sdk-items.mjs; the SDK from
    tests/interop/node_modules, so run `npm ci` there first) makes the same calls, -SdkInFlight at a
    time: makeDir, write, list then read, list then move, list then remove.
    Each measure is repeated -Runs times, the module and the SDK interleaved, and the median is
    reported; -WarmUpRuns rounds go first and are not counted (the local agent is still optimizing
    its request paths over its first few thousand requests).
    With -RoundTripMs, both clients reach the agent through a relay that holds what it passes on
    for half that time each way (DelayingRelay.cs), as a sandbox across a network would answer: run
    with a small -Count and -ThrottleLimit 1 -SdkInFlight 1, it shows the round trips each client
    spends per item, which loopback hides.
#>
param(
    [int] $Count = 500,
    [int] $Runs = 3,
    [int] $WarmUpRuns = 1,
    [int] $ThrottleLimit = 8,
    [int] $SdkInFlight = 8,
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/ScaleBox.Sandbox'),
    [string] $AgentPath,
    [double] $RoundTripMs = 0
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$root = Join-Path $PSScriptRoot '..'
. (Join-Path $root 'tests/pester/TestAgent.ps1')
. (Join-Path $PSScriptRoot 'BenchCommon.ps1')
$modulePath = (Resolve-Path $ModulePath).ProviderPath
$pwsh = Get-PwshCommand
$interop = Get-InteropFolder $root

# The measured child: imports the module, opens the session, runs each cmdlet once, then times each step.
$childScript = @'
param([string] $ModulePath, [string] $Domain, [string] $Root, [int] $Count, [int] $ThrottleLimit)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath
$null = New-SbxSession -Domain $Domain -AccessToken $env:SBX_BENCH_TOKEN
# Not timed: each cmdlet once, as the SDK's script makes each call once.
$null = New-SbxItem -ItemType Directory -Path "$Root/warm/dir"
$null = New-SbxItem -Path "$Root/warm/a.txt" -Value 'warm'
$null = Get-SbxContent -LiteralPath "$Root/warm/a.txt" -Raw
Move-SbxItem -LiteralPath "$Root/warm/a.txt" -Destination "$Root/warm/dir"
Remove-SbxItem -LiteralPath "$Root/warm/dir/a.txt"

$paths = foreach ($i in 1..$Count) { "$Root/dirs/d$i" }
$records = foreach ($i in 1..$Count) { [pscustomobject]@{ Path = "$Root/new/f$i.txt"; Value = "item $i" } }
$newDirectories = Measure-Command { $null = $paths | New-SbxItem -ItemType Directory -ThrottleLimit $ThrottleLimit }
$newFiles = Measure-Command { $null = $records | New-SbxItem -ThrottleLimit $ThrottleLimit }
$texts = 0
$read = Measure-Command { Get-SbxChildItem -LiteralPath "$Root/src" -File | Get-SbxContent -Raw -ThrottleLimit $ThrottleLimit | ForEach-Object { $texts++ } }
$move = Measure-Command { Get-SbxChildItem -LiteralPath "$Root/src" -File | Move-SbxItem -Destination "$Root/into" -ThrottleLimit $ThrottleLimit }
$remove = Measure-Command { Get-SbxChildItem -LiteralPath "$Root/into" -File | Remove-SbxItem -ThrottleLimit $ThrottleLimit }
[pscustomobject]@{
    newDirectories = $newDirectories.TotalSeconds; newFiles = $newFiles.TotalSeconds; read = $read.TotalSeconds; texts = $texts
    move = $move.TotalSeconds; remove = $remove.TotalSeconds
} | ConvertTo-Json -Compress
'@

$steps = [ordered]@{
    newDirectories = 'New-SbxItem -ItemType Directory / makeDir'
    newFiles       = 'New-SbxItem -Value / write'
    read           = 'Get-SbxChildItem | Get-SbxContent -Raw / list, read'
    move           = 'Get-SbxChildItem | Move-SbxItem / list, move'
    remove         = 'Get-SbxChildItem | Remove-SbxItem / list, remove'
}

function New-ItemsRoot([string] $Name) {
    <# A folder in the agent's home with -Count small files in src and an empty into, made locally (not timed). #>
    $path = Join-Path $agent.Home $Name
    New-Item -ItemType Directory -Path (Join-Path $path 'src'), (Join-Path $path 'into') | Out-Null
    foreach ($i in 1..$Count) { [System.IO.File]::WriteAllText((Join-Path $path "src/s$i.txt"), "source $i") }
    $path
}

function Assert-ItemsDone([string] $Path, [object] $Result, [string] $Who) {
    <# What every step should have left: the folders and files made, every file read, moved, then deleted. #>
    $problems = @(
        if (@(Get-ChildItem -LiteralPath (Join-Path $Path 'dirs') -Directory).Count -ne $Count) { 'directories made' }
        $made = @(Get-ChildItem -LiteralPath (Join-Path $Path 'new') -File)
        if ($made.Count -ne $Count -or (Get-Content -LiteralPath (Join-Path $Path 'new/f7.txt') -Raw) -ne 'item 7') { 'files written' }
        if ($Result.texts -ne $Count) { "files read ($($Result.texts))" }
        if (@(Get-ChildItem -LiteralPath (Join-Path $Path 'src')).Count -ne 0) { 'files moved' }
        if (@(Get-ChildItem -LiteralPath (Join-Path $Path 'into')).Count -ne 0) { 'files deleted' }
    )
    if ($problems) { throw "$Who left the wrong files in $Path`: $($problems -join ', ')." }
}

$loadAtStart = Get-LoadAverage

$work = Join-Path ([System.IO.Path]::GetTempPath()) ('sbx-bench-items-' + [guid]::NewGuid().ToString('N').Substring(0, 12))
New-Item -ItemType Directory -Path $work | Out-Null
$agent = $null
$relay = $null
try {
    $childFile = Join-Path $work 'items-child.ps1'
    Set-Content -LiteralPath $childFile -Value $childScript
    $agentArguments = @{}
    if ($AgentPath) { $agentArguments.AgentPath = (Resolve-Path $AgentPath).ProviderPath }
    $agent = Start-TestAgent @agentArguments
    $env:SBX_BENCH_TOKEN = $agent.Token
    $domain = $agent.Domain
    if ($RoundTripMs -gt 0) {
        Add-Type -Path (Join-Path $PSScriptRoot 'DelayingRelay.cs')
        $relay = [DelayingRelay]::new([int]($agent.Domain -split ':')[1], $RoundTripMs)
        $domain = "127.0.0.1:$($relay.Port)"
    }

    $module = @(); $sdk = @()
    for ($run = 1 - $WarmUpRuns; $run -le $Runs; $run++) {
        $moduleRoot = New-ItemsRoot "module-$run"
        $text = & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File $childFile -ModulePath $modulePath -Domain $domain `
            -Root $moduleRoot -Count $Count -ThrottleLimit $ThrottleLimit
        if ($LASTEXITCODE -ne 0) { throw "The child pwsh failed (exit code $LASTEXITCODE): $($text -join "`n")" }
        $module += $text | Select-Object -Last 1 | ConvertFrom-Json
        Assert-ItemsDone $moduleRoot $module[-1] 'The module'

        $sdkRoot = New-ItemsRoot "sdk-$run"
        $arguments = @{ token = $agent.Token; root = $sdkRoot; count = $Count; inFlight = $SdkInFlight; interop = $interop } | ConvertTo-Json -Compress
        $json = & node (Join-Path $PSScriptRoot 'sdk-items.mjs') "http://$domain" $arguments
        if ($LASTEXITCODE -ne 0) { throw "sdk-items.mjs failed (exit code $LASTEXITCODE): $json" }
        $sdk += $json | Select-Object -Last 1 | ConvertFrom-Json
        Assert-ItemsDone $sdkRoot $sdk[-1] 'The SDK'

        Write-Host ("{0}: " -f (Get-RunName $run)) -NoNewline
        Write-Host (($steps.Keys | ForEach-Object { '{0} {1:0.00} / {2:0.00} s' -f $_, $module[-1].$_, $sdk[-1].$_ }) -join '; ')
        if ($run -lt 1) { $module = @(); $sdk = @() }
    }
}
finally {
    Remove-Item Env:SBX_BENCH_TOKEN -ErrorAction SilentlyContinue
    if ($relay) { $relay.Dispose() }
    if ($agent) { Stop-TestAgent $agent }
    Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue
}

$summary = [ordered]@{
    'Items' = "$Count per step, module -ThrottleLimit $ThrottleLimit, SDK $SdkInFlight in flight$(if ($RoundTripMs -gt 0) { ", through a relay adding a $RoundTripMs ms round trip" }); median of $Runs after $WarmUpRuns not counted; 1-min load average $loadAtStart at start, $(Get-LoadAverage) at end ($([Environment]::ProcessorCount) cores)"
}
foreach ($step in $steps.Keys) {
    $moduleSeconds = Get-Median ($module | ForEach-Object $step)
    $sdkSeconds = Get-Median ($sdk | ForEach-Object $step)
    $summary["$($steps[$step]) (s)"] = '{0:0.00} / {1:0.00}' -f $moduleSeconds, $sdkSeconds
    $summary["$($steps[$step]), module / SDK time"] = [Math]::Round($moduleSeconds / $sdkSeconds, 2)
}
[pscustomobject]$summary | Format-List | Out-String -Width 200

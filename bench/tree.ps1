<#
.SYNOPSIS
    A tree of many small files up and down with Copy-SbxItem -Recurse, and Get-SbxItem called
    sequentially, next to the official @scalebox/sdk 3.7.0 doing the same against the same local agent.
.DESCRIPTION
    Measures (not a test; nothing here asserts a time, but a copy that differs fails the run):
      - -Files files of -FileKB KiB (random bytes) in -Folders folders, uploaded with
        `Copy-SbxItem -ToSandbox -Recurse -ThrottleLimit <n>` and downloaded with
        `Copy-SbxItem -FromSandbox -Recurse`, in a child pwsh whose session is already open, timed
        around each Copy-SbxItem call;
      - the same per-file copies with $ProgressPreference = 'Continue' in the child: the cost of the
        progress records (files and bytes, a few a second), next to the copies without them;
      - the uploaded tree read back into memory: `Get-SbxChildItem -Recurse -File | Get-SbxContent
        -Raw -ThrottleLimit <n>` (each file's text, in order), next to the SDK listing it and reading
        every file with files.read, -SdkInFlight at a time;
      - the same tree up and down packed into one tar stream (`-Packing Always`: written locally as
        it is sent and unpacked by the sandbox's tar; packed by the sandbox's tar, downloaded and
        unpacked locally), next to the per-file copy (`-Packing Never`, the first measure);
      - the same tree with the SDK in Node (bench/sdk-tree.mjs; the SDK from tests/interop/node_modules,
        so run `npm ci` there first): uploadFile for every file, -SdkInFlight at a time, then one
        recursive list and downloadFile for every file, -SdkInFlight at a time, then one recursive
        list and files.read (text) of every file, -SdkInFlight at a time;
      - -Stats sequential `Get-SbxItem -LiteralPath <file>` calls in the child, next to -Stats
        sequential `files.stat` calls of the SDK, both in a fresh process after 20 calls not timed;
        then, in the same two processes, the same again after -SettleCalls more calls not timed: the
        per-call cost once the runtimes have done compiling the calls' code (PowerShell's engine is
        still being recompiled at its optimizing tiers thousands of calls into a fresh pwsh);
      - -Stats `Get-SbxItem` calls with -InFlight in flight from one session (ForEach-Object
        -Parallel), next to the sequential rate;
      - -Stats paths piped into one `Get-SbxItem` (output in input order), at its default
        -ThrottleLimit, at -ThrottleLimit -InFlight and at -ThrottleLimit 1 (one stat at a time, as
        the SDK's awaited calls), next to the sequential calls and the SDK.
    -StatsOnly skips the tree copies.
    Every copy is compared file by file (SHA-256) with the source. Each measure is repeated -Runs
    times, the module and the SDK interleaved, and the median is reported. -WarmUpRuns rounds of
    every measure go first and are not counted: the local agent is a .NET process that compiles its
    request paths again, optimized, over its first few thousand requests (the real agent is compiled
    Go), and without them the client measured first in a run paid for that.
#>
param(
    [int] $Files = 1000,
    [int] $Folders = 20,
    [int] $FileKB = 4,
    [int] $Runs = 3,
    [int] $WarmUpRuns = 2,
    [int] $ThrottleLimit = 8,
    [int] $SdkInFlight = 8,
    [int] $Stats = 1000,
    [int] $InFlight = 64,
    [int] $SettleCalls = 12000,
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/ScaleBox.Sandbox'),
    [string] $AgentPath,
    [switch] $StatsOnly
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$root = Join-Path $PSScriptRoot '..'
. (Join-Path $root 'tests/pester/TestAgent.ps1')
. (Join-Path $PSScriptRoot 'BenchCommon.ps1')
$modulePath = (Resolve-Path $ModulePath).ProviderPath
$pwsh = Get-PwshCommand
$interop = Get-InteropFolder $root

function New-Tree([string] $Path) {
    $random = [System.Random]::new(20261204)
    $content = [byte[]]::new($FileKB * 1KB)
    for ($i = 0; $i -lt $Files; $i++) {
        $folder = Join-Path $Path ('folder {0:00}' -f ($i % $Folders))
        if ($i -lt $Folders) { New-Item -ItemType Directory -Path $folder | Out-Null }
        $random.NextBytes($content)
        [System.IO.File]::WriteAllBytes((Join-Path $folder ('file {0:0000}.bin' -f $i)), $content)
    }
}

function Get-TreeHashes([string] $Path) {
    $full = (Resolve-Path -LiteralPath $Path).ProviderPath.TrimEnd('/')
    $hashes = @{}
    foreach ($file in [System.IO.Directory]::GetFiles($full, '*', 'AllDirectories')) {
        $hashes[$file.Substring($full.Length + 1)] = (Get-FileHash -LiteralPath $file -Algorithm SHA256).Hash
    }
    $hashes
}

function Assert-SameTree([string] $Path, [string] $What) {
    $actual = Get-TreeHashes $Path
    $different = @($sourceHashes.Keys | Where-Object { $actual[$_] -ne $sourceHashes[$_] })
    if ($actual.Count -ne $sourceHashes.Count -or $different.Count -gt 0) {
        throw "TREE MISMATCH after $What`: '$Path' has $($actual.Count) files, $($different.Count) of the $($sourceHashes.Count) source files differ or are missing."
    }
}

# The measured child: imports the module, opens the session, then times each step.
$childScript = @'
param([string] $ModulePath, [string] $Domain, [string] $Mode, [string] $Source, [string] $Remote, [string] $Back, [int] $ThrottleLimit, [int] $Stats, [int] $InFlight, [int] $SettleCalls, [string] $Packing = 'Never', [switch] $Progress)
$ErrorActionPreference = 'Stop'
# With -Progress, Copy-SbxItem makes its progress records (files and bytes) and hands them to the host.
$ProgressPreference = if ($Progress) { 'Continue' } else { 'SilentlyContinue' }
Import-Module $ModulePath
$session = New-SbxSession -Domain $Domain -AccessToken $env:SBX_BENCH_TOKEN
$null = Get-SbxItem -LiteralPath '/'
if ($Mode -eq 'tree') {
    # Not timed: one file up and down first, as the SDK's script does, so neither side times its first use.
    $one = Get-ChildItem -LiteralPath $Source -Recurse -File | Select-Object -First 1
    Copy-SbxItem -LiteralPath $one.FullName -Destination "$Remote-warm-up/" -ToSandbox
    Copy-SbxItem -LiteralPath "$Remote-warm-up" -Destination "$Back-warm-up" -FromSandbox -Recurse
    $up = [System.Diagnostics.Stopwatch]::StartNew()
    Copy-SbxItem -LiteralPath $Source -Destination $Remote -ToSandbox -Recurse -ThrottleLimit $ThrottleLimit -Packing $Packing
    $up.Stop()
    $down = [System.Diagnostics.Stopwatch]::StartNew()
    Copy-SbxItem -LiteralPath $Remote -Destination $Back -FromSandbox -Recurse -ThrottleLimit $ThrottleLimit -Packing $Packing
    $down.Stop()
    $read = [System.Diagnostics.Stopwatch]::StartNew()
    $texts = @(Get-SbxChildItem -LiteralPath $Remote -Recurse -File | Get-SbxContent -Raw -ThrottleLimit $ThrottleLimit)
    $read.Stop()
    [pscustomobject]@{ UpSeconds = $up.Elapsed.TotalSeconds; DownSeconds = $down.Elapsed.TotalSeconds; ReadSeconds = $read.Elapsed.TotalSeconds; FilesRead = $texts.Count } | ConvertTo-Json -Compress
}
else {
    foreach ($i in 1..20) { $null = Get-SbxItem -LiteralPath $Remote }
    $sequential = [System.Diagnostics.Stopwatch]::StartNew()
    foreach ($i in 1..$Stats) { $null = Get-SbxItem -LiteralPath $Remote }
    $sequential.Stop()
    for ($i = 0; $i -lt $SettleCalls; $i++) { $null = Get-SbxItem -LiteralPath $Remote }
    $settled = [System.Diagnostics.Stopwatch]::StartNew()
    foreach ($i in 1..$Stats) { $null = Get-SbxItem -LiteralPath $Remote }
    $settled.Stop()
    # Each runspace imports the module once (not timed: the first round warms them all).
    $env:PSModulePath = (Split-Path -Parent $ModulePath) + [System.IO.Path]::PathSeparator + $env:PSModulePath
    1..$InFlight | ForEach-Object -ThrottleLimit $InFlight -Parallel { $null = Get-SbxItem -LiteralPath $using:Remote -Session $using:session }
    $parallel = [System.Diagnostics.Stopwatch]::StartNew()
    1..$Stats | ForEach-Object -ThrottleLimit $InFlight -Parallel { $null = Get-SbxItem -LiteralPath $using:Remote -Session $using:session }
    $parallel.Stop()
    # One Get-SbxItem for all the paths, piped: the stats in flight on the session's connection.
    $paths = ,$Remote * $Stats
    $null = $paths | Select-Object -First 64 | Get-SbxItem
    $piped = [System.Diagnostics.Stopwatch]::StartNew()
    $null = $paths | Get-SbxItem
    $piped.Stop()
    $pipedWide = [System.Diagnostics.Stopwatch]::StartNew()
    $null = $paths | Get-SbxItem -ThrottleLimit $InFlight
    $pipedWide.Stop()
    # Piped, one stat at a time: each request waits for the one before, as the SDK's awaited calls do.
    $pipedSerial = [System.Diagnostics.Stopwatch]::StartNew()
    $null = $paths | Get-SbxItem -ThrottleLimit 1
    $pipedSerial.Stop()
    [pscustomobject]@{ Seconds = $sequential.Elapsed.TotalSeconds; SettledSeconds = $settled.Elapsed.TotalSeconds; ParallelSeconds = $parallel.Elapsed.TotalSeconds
        PipedSeconds = $piped.Elapsed.TotalSeconds; PipedWideSeconds = $pipedWide.Elapsed.TotalSeconds
        PipedSerialSeconds = $pipedSerial.Elapsed.TotalSeconds } | ConvertTo-Json -Compress
}
'@

function Invoke-Child([string] $Mode, [string] $Remote, [string] $Back = '', [string] $Packing = 'Never', [switch] $Progress) {
    $arguments = @('-NoProfile', '-NonInteractive', '-File', $childFile, '-ModulePath', $modulePath, '-Domain', $agent.Domain, '-Mode', $Mode,
        '-Source', $source, '-Remote', $Remote, '-Back', $Back, '-ThrottleLimit', $ThrottleLimit, '-Stats', $Stats, '-InFlight', $InFlight, '-SettleCalls', $SettleCalls, '-Packing', $Packing)
    if ($Progress) { $arguments += '-Progress' }
    $text = & $pwsh[0] @($pwsh | Select-Object -Skip 1) @arguments
    if ($LASTEXITCODE -ne 0) {
        throw "The child pwsh ($Mode) failed (exit code $LASTEXITCODE): $($text -join "`n")"
    }
    $text | Select-Object -Last 1 | ConvertFrom-Json
}

# One timed child's copy of the tree up (to <Name>-<Run> in the sandbox) and back, both checked.
function Invoke-ModuleTreeCopy([string] $Name, [int] $Run, [string] $Packing = 'Never', [switch] $Progress) {
    $remote = Join-Path $agent.Home "$Name-$Run"
    $back = Join-Path $work "$Name-back-$Run"
    $result = Invoke-Child tree $remote $back $Packing -Progress:$Progress
    $how = $(if ($Packing -ne 'Never') { " -Packing $Packing" }) + $(if ($Progress) { ' (progress on)' })
    Assert-SameTree $remote "Copy-SbxItem -ToSandbox -Recurse$how"
    Assert-SameTree $back "Copy-SbxItem -FromSandbox -Recurse$how"
    if ($result.FilesRead -ne $Files) { throw "Get-SbxContent read $($result.FilesRead) files of $remote, not $Files." }
    $result
}

function Invoke-Sdk([hashtable] $Arguments) {
    $Arguments.token = $agent.Token
    $Arguments.interop = $interop
    $json = & node (Join-Path $PSScriptRoot 'sdk-tree.mjs') "http://$($agent.Domain)" ($Arguments | ConvertTo-Json -Compress)
    if ($LASTEXITCODE -ne 0) {
        throw "sdk-tree.mjs failed (exit code $LASTEXITCODE): $json"
    }
    $json | Select-Object -Last 1 | ConvertFrom-Json
}

$loadAtStart = Get-LoadAverage

$work = Join-Path ([System.IO.Path]::GetTempPath()) ('sbx-bench-tree-' + [guid]::NewGuid().ToString('N').Substring(0, 12))
New-Item -ItemType Directory -Path $work | Out-Null
$agent = $null
try {
    $childFile = Join-Path $work 'tree-child.ps1'
    Set-Content -LiteralPath $childFile -Value $childScript
    $source = Join-Path $work 'tree'
    New-Tree $source
    $sourceHashes = Get-TreeHashes $source
    Write-Host ("Created {0} files of {1} KiB in {2} folders" -f $Files, $FileKB, $Folders)

    $agentArguments = @{}
    if ($AgentPath) { $agentArguments.AgentPath = (Resolve-Path $AgentPath).ProviderPath }
    $agent = Start-TestAgent @agentArguments
    $env:SBX_BENCH_TOKEN = $agent.Token

    # Runs below 1 warm the agent up and are not counted: a fresh agent compiles its request paths
    # over its first few thousand requests, and would make whichever client goes first pay for it.
    # The copies stay until the run ends: deleting one copy's 2,000 files slowed the copies made
    # just after, the module's per-file ones most (bench/HISTORY.md, 2026-12-06).
    $module = @(); $packed = @(); $sdk = @(); $withProgress = @()
    for ($run = 1 - $WarmUpRuns; $run -le $Runs -and -not $StatsOnly; $run++) {
        $module += Invoke-ModuleTreeCopy module $run
        $withProgress += Invoke-ModuleTreeCopy progress $run -Progress
        $packed += Invoke-ModuleTreeCopy packed $run -Packing Always

        $remote = Join-Path $agent.Home "sdk-$run"
        $back = Join-Path $work "sdk-back-$run"
        $sdk += Invoke-Sdk @{ mode = 'tree'; local = $source; remote = $remote; back = $back; inFlight = $SdkInFlight }
        Assert-SameTree $remote 'the SDK upload'
        Assert-SameTree $back 'the SDK download'
        if ($sdk[-1].filesRead -ne $Files) { throw "The SDK read $($sdk[-1].filesRead) files of $remote, not $Files." }

        Write-Host ("{0}: module up {1:0.00} s, down {2:0.00} s, read {9:0.00} s (progress on: {7:0.00} / {8:0.00} s); packed up {5:0.00} s, down {6:0.00} s; SDK up {3:0.00} s, down {4:0.00} s, read {10:0.00} s" -f `
                (Get-RunName $run), $module[-1].UpSeconds, $module[-1].DownSeconds, $sdk[-1].upSeconds, $sdk[-1].downSeconds, $packed[-1].UpSeconds, $packed[-1].DownSeconds,
                $withProgress[-1].UpSeconds, $withProgress[-1].DownSeconds, $module[-1].ReadSeconds, $sdk[-1].readSeconds)
        if ($run -lt 1) { $module = @(); $packed = @(); $sdk = @(); $withProgress = @() }
    }

    $statTarget = Join-Path $agent.Home 'stat-me.txt'
    Set-Content -LiteralPath $statTarget -Value 'stat'
    $moduleStat = @(); $sdkStat = @()
    for ($run = 1 - $WarmUpRuns; $run -le $Runs; $run++) {
        $moduleStat += Invoke-Child stat $statTarget
        $sdkStat += Invoke-Sdk @{ mode = 'stat'; stats = $Stats; statPath = $statTarget; settle = $SettleCalls }
        Write-Host ("{0}: Get-SbxItem x{1} {2:0.00} s, settled {9:0.00} s ({3} in flight: {4:0.00} s; piped {5:0.00} s, piped -ThrottleLimit {3} {6:0.00} s, piped one at a time {8:0.00} s); SDK stat x{1} {7:0.00} s, settled {10:0.00} s" -f `
                (Get-RunName $run), $Stats, $moduleStat[-1].Seconds, $InFlight, $moduleStat[-1].ParallelSeconds, $moduleStat[-1].PipedSeconds, $moduleStat[-1].PipedWideSeconds, $sdkStat[-1].seconds, $moduleStat[-1].PipedSerialSeconds,
                $moduleStat[-1].SettledSeconds, $sdkStat[-1].settledSeconds)
        if ($run -lt 1) { $moduleStat = @(); $sdkStat = @() }
    }
}
finally {
    Remove-Item Env:SBX_BENCH_TOKEN -ErrorAction SilentlyContinue
    if ($agent) { Stop-TestAgent $agent }
    Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue
}

# The median seconds of one kind of copy (none were made with -StatsOnly).
function Get-CopyMedian([object[]] $Copies, [string] $Seconds) {
    if ($StatsOnly) { [double]::NaN } else { Get-Median ($Copies | ForEach-Object $Seconds) }
}
$moduleUp = Get-CopyMedian $module UpSeconds
$moduleDown = Get-CopyMedian $module DownSeconds
$progressUp = Get-CopyMedian $withProgress UpSeconds
$progressDown = Get-CopyMedian $withProgress DownSeconds
$packedUp = Get-CopyMedian $packed UpSeconds
$packedDown = Get-CopyMedian $packed DownSeconds
$sdkUp = Get-CopyMedian $sdk upSeconds
$sdkDown = Get-CopyMedian $sdk downSeconds
$moduleRead = Get-CopyMedian $module ReadSeconds
$sdkRead = Get-CopyMedian $sdk readSeconds
$statSequential = Get-Median ($moduleStat | ForEach-Object Seconds)
$statParallel = Get-Median ($moduleStat | ForEach-Object ParallelSeconds)
$sdkStatSeconds = Get-Median ($sdkStat | ForEach-Object seconds)
$statSettled = Get-Median ($moduleStat | ForEach-Object SettledSeconds)
$sdkStatSettled = Get-Median ($sdkStat | ForEach-Object settledSeconds)
$statPiped = Get-Median ($moduleStat | ForEach-Object PipedSeconds)
$statPipedWide = Get-Median ($moduleStat | ForEach-Object PipedWideSeconds)
$statPipedSerial = Get-Median ($moduleStat | ForEach-Object PipedSerialSeconds)
[pscustomobject][ordered]@{
    'Tree'                                           = "$Files x $FileKB KiB in $Folders folders, median of $Runs after $WarmUpRuns not counted; 1-min load average $loadAtStart at start, $(Get-LoadAverage) at end ($([Environment]::ProcessorCount) cores)"
    "Copy-SbxItem -ThrottleLimit $ThrottleLimit -Packing Never up / down (s)" = '{0:0.00} / {1:0.00}' -f $moduleUp, $moduleDown
    'The same with progress on, up / down (s)'       = '{0:0.00} / {1:0.00}' -f $progressUp, $progressDown
    'Progress on / off, up / down'                   = '{0:0.00} / {1:0.00}' -f ($progressUp / $moduleUp), ($progressDown / $moduleDown)
    'Copy-SbxItem -Packing Always up / down (s)'     = '{0:0.00} / {1:0.00}' -f $packedUp, $packedDown
    "SDK, $SdkInFlight in flight, up / down (s)"     = '{0:0.00} / {1:0.00}' -f $sdkUp, $sdkDown
    'Module / SDK time, up (goal <= 0.5)'            = [Math]::Round($moduleUp / $sdkUp, 2)
    'Packed / SDK time, up'                          = [Math]::Round($packedUp / $sdkUp, 2)
    'Packed / SDK time, down'                        = [Math]::Round($packedDown / $sdkDown, 2)
    'Module / SDK time, down (goal <= 0.5)'          = [Math]::Round($moduleDown / $sdkDown, 2)
    "Get-SbxContent -Raw -ThrottleLimit $ThrottleLimit of every file / SDK files.read, $SdkInFlight in flight (s)" = '{0:0.00} / {1:0.00}' -f $moduleRead, $sdkRead
    'Get-SbxContent / SDK time, reading the files'   = [Math]::Round($moduleRead / $sdkRead, 2)
    "Get-SbxItem x$Stats sequential / SDK stat (s)"  = '{0:0.00} / {1:0.00}' -f $statSequential, $sdkStatSeconds
    'Get-SbxItem / SDK stat time (goal <= 0.3)'      = [Math]::Round($statSequential / $sdkStatSeconds, 2)
    "The same after $SettleCalls more calls in each process (s)" = '{0:0.00} / {1:0.00}' -f $statSettled, $sdkStatSettled
    "Get-SbxItem / SDK stat time after $SettleCalls more calls" = [Math]::Round($statSettled / $sdkStatSettled, 2)
    "Get-SbxItem, $InFlight in flight (ForEach-Object -Parallel) / sequential throughput" = [Math]::Round($statSequential / $statParallel, 2)
    "`$paths | Get-SbxItem x$Stats, default limit / -ThrottleLimit $InFlight (s)" = '{0:0.00} / {1:0.00}' -f $statPiped, $statPipedWide
    '$paths | Get-SbxItem / SDK stat time (goal <= 0.3)' = [Math]::Round($statPiped / $sdkStatSeconds, 2)
    "`$paths | Get-SbxItem -ThrottleLimit $InFlight / SDK stat time" = [Math]::Round($statPipedWide / $sdkStatSeconds, 2)
    '$paths | Get-SbxItem -ThrottleLimit 1 (one stat at a time) / SDK stat time' = [Math]::Round($statPipedSerial / $sdkStatSeconds, 2)
    "`$paths | Get-SbxItem -ThrottleLimit $InFlight / sequential throughput (goal >= 4)" = [Math]::Round($statSequential / $statPipedWide, 2)
    '$paths | Get-SbxItem (default limit) / sequential throughput' = [Math]::Round($statSequential / $statPiped, 2)
} | Format-List | Out-String -Width 200

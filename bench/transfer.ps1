<#
.SYNOPSIS
    File transfer throughput and peak memory of Copy-SbxItem against the local agent, next to curl in the same run.
.DESCRIPTION
    Measures (not a test; nothing here asserts a time, but a transfer whose hash differs fails the run):
      - a -SizeMB file (random bytes, written in chunks, never held in memory) uploaded with
        `Copy-SbxItem -ToSandbox` and downloaded with `Copy-SbxItem -FromSandbox`, each copy in a
        fresh child pwsh with $ProgressPreference = 'SilentlyContinue', timed inside the child
        around the Copy-SbxItem call only (the session and channel are already open);
      - the peak working set of that child pwsh (PeakWorkingSet64, i.e. VmHWM), before and after
        the copy, and the same for a small file, so that growth with the file size shows;
      - the same upload and download with curl (`-F file=@… -F path=…` to /upload, GET
        /download/<path>), timed by curl's own time_total;
      - the same upload by a bare .NET HttpClient (BareHttpUpload.cs, compiled in a fresh child pwsh
        before it is timed): what any .NET client pays for a first upload in a fresh process, apart
        from what the module adds; with the methods the runtime compiled during each upload
        (System.Runtime.JitInfo), the module's and the bare client's;
      - once each with progress on, to show what the progress records cost, and once each twice
        in one child, whose second copy shows the rate without the process's first-use costs.
    Every copy is checked with Get-FileHash. Before the first, a small copy each way by the module,
    not timed, so that the fresh local agent has compiled the RPC paths only the module calls.
    Right before each timed copy (for the module, once its
    child pwsh is ready), untimed: curl makes the same copy to a scratch name (Invoke-ConditioningCopy),
    the copies before it are removed, `sync` waits for the disk, and -SizeMB plus 256 MiB of memory are
    written to and freed from /dev/shm (Initialize-NextCopy), so that every copy, the module's and
    curl's alike, starts from the same state of the machine. Each measure is repeated -Runs times in
    pairs, in alternating order (module first in odd runs, curl first in even ones), and the median
    is reported.
    Run it with `dotnet pwsh ./build.ps1 bench` (which builds first).
#>
param(
    [int] $SizeMB = 1024,
    [int] $Runs = 5,
    # A second, small size for the peak-memory comparison only.
    [int] $SmallSizeMB = 16,
    [switch] $SkipProgressRun,
    # Grpc: the module's session and curl use the agent's gRPC port: curl over HTTP/2 with prior
    # knowledge, the session's transfers over HTTP/1.1, which that port speaks too (as the real
    # agent's does), so this shows what a gRPC session's copies get next to a gRPC-Web one's.
    [ValidateSet('GrpcWeb', 'Grpc')] [string] $Protocol = 'GrpcWeb',
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/ScaleBox.Sandbox'),
    [string] $AgentPath
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$root = Join-Path $PSScriptRoot '..'
. (Join-Path $root 'tests/pester/TestAgent.ps1')
. (Join-Path $PSScriptRoot 'BenchCommon.ps1')
$modulePath = (Resolve-Path $ModulePath).ProviderPath
$pwsh = Get-PwshCommand
$curlTimeFormat = '%{time_total}'


function New-RandomFile([string] $Path, [int] $MegaBytes) {
    # 1 MiB at a time; each chunk fresh from a seeded generator, so nothing compresses or repeats.
    $random = [System.Random]::new(20261126)
    $chunk = [byte[]]::new(1MB)
    $stream = [System.IO.FileStream]::new($Path, 'CreateNew', 'Write', 'None', 1MB)
    try {
        for ($i = 0; $i -lt $MegaBytes; $i++) {
            $random.NextBytes($chunk)
            $stream.Write($chunk, 0, $chunk.Length)
        }
    }
    finally {
        $stream.Dispose()
    }
}

# What both measured children share (dot-sourced from -CommonFile): say 'ready', wait for the go,
# run the copies and print their figures as one line of JSON.
$childCommon = @'
function Measure-ChildCopy([scriptblock] $Copies) {
    # Ready: the bench removes the previous copy now, and says when to start.
    [Console]::Out.WriteLine('ready')
    [Console]::Out.Flush()
    $null = [Console]::In.ReadLine()
    $self = [System.Diagnostics.Process]::GetCurrentProcess()
    $peakBefore = $self.PeakWorkingSet64
    $cpuBefore = $self.TotalProcessorTime
    $jitBefore = [System.Runtime.JitInfo]::GetCompiledMethodCount($false)
    $jitTimeBefore = [System.Runtime.JitInfo]::GetCompilationTime($false)
    $seconds = & $Copies # the seconds of each copy
    $self.Refresh()
    [pscustomobject]@{
        Seconds    = @($seconds)[0]
        Last       = @($seconds)[-1]
        PeakBefore = $peakBefore
        Peak       = $self.PeakWorkingSet64
        CpuSeconds = ($self.TotalProcessorTime - $cpuBefore).TotalSeconds
        JitMethods = [System.Runtime.JitInfo]::GetCompiledMethodCount($false) - $jitBefore
        JitSeconds = ([System.Runtime.JitInfo]::GetCompilationTime($false) - $jitTimeBefore).TotalSeconds
    } | ConvertTo-Json -Compress
}
'@

# The measured child: imports the module, opens the session and the channel, then times the copy.
$childScript = @'
param([string] $CommonFile, [string] $ModulePath, [string] $Domain, [string] $Direction, [string] $Source, [string] $Destination, [switch] $Progress, [int] $Repeat = 1, [string] $Protocol = 'GrpcWeb', [int] $PrimeMB = 0)
$ErrorActionPreference = 'Stop'
$ProgressPreference = if ($Progress) { 'Continue' } else { 'SilentlyContinue' }
. $CommonFile
Import-Module $ModulePath
$null = New-SbxSession -Domain $Domain -AccessToken $env:SBX_BENCH_TOKEN -Protocol $Protocol
$null = Get-SbxItem -LiteralPath '/'
Measure-ChildCopy {
    foreach ($i in 1..$Repeat) {
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        if ($Direction -eq 'up') {
            Copy-SbxItem -LiteralPath $Source -Destination $Destination -ToSandbox -Force
        }
        else {
            Copy-SbxItem -LiteralPath $Source -Destination $Destination -FromSandbox -Force
        }
        $watch.Elapsed.TotalSeconds
        if ($i -lt $Repeat) {
            # Not timed: the next copy writes a new file rather than replacing this one (the local agent's files are local).
            Remove-Item -LiteralPath $Destination
            & sync # the next copy does not wait for this one's data to reach the disk
            if ($PrimeMB -gt 0) {
                # As the bench's Initialize-NextCopy does before every other timed copy.
                & dd if=/dev/zero "of=/dev/shm/sbx-bench-$PID" bs=1M "count=$PrimeMB" status=none
                Remove-Item -LiteralPath "/dev/shm/sbx-bench-$PID"
            }
        }
    }
}
'@

# The reference child for uploads: the same first upload by a bare .NET HttpClient (BareHttpUpload.cs),
# compiled before the go, so that only the upload is timed, as for the module.
$bareChildScript = @'
param([string] $CommonFile, [string] $SourceFile, [string] $UploadUrl, [string] $Source, [string] $Destination)
$ErrorActionPreference = 'Stop'
. $CommonFile
Add-Type -Path $SourceFile
Measure-ChildCopy {
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    [BareHttpUpload]::Upload($UploadUrl, $env:SBX_BENCH_TOKEN, $Source, $Destination)
    $watch.Elapsed.TotalSeconds
}
'@

function Invoke-ModuleCopy([string] $Direction, [string] $Source, [string] $Destination, [switch] $Progress, [int] $Repeat = 1,
    # Runs Invoke-ConditioningCopy once the child is ready, right before it starts (as for curl's copies).
    [switch] $Conditioned) {
    $arguments = @('-File', $childFile, '-ModulePath', $modulePath, '-Domain', $domain,
        '-Direction', $Direction, '-Source', $Source, '-Destination', $Destination, '-Repeat', $Repeat, '-Protocol', $Protocol,
        '-PrimeMB', $primeMB)
    if ($Progress) { $arguments += '-Progress' }
    Invoke-ChildCopy $arguments $Direction -Conditioned:$Conditioned
}

function Invoke-BareUpload([string] $Source, [string] $Destination) {
    $arguments = @('-File', $bareChildFile, '-SourceFile', (Join-Path $PSScriptRoot 'BareHttpUpload.cs'), '-UploadUrl', "$baseUrl/upload",
        '-Source', $Source, '-Destination', $Destination)
    Invoke-ChildCopy $arguments up -Conditioned
}

# Starts a child pwsh running a copy script, readies the machine once the child says 'ready', lets it go
# and returns the figures it prints last (JSON).
function Invoke-ChildCopy([string[]] $Arguments, [string] $Direction, [switch] $Conditioned) {
    $start = [System.Diagnostics.ProcessStartInfo]::new($pwsh[0])
    foreach ($argument in @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive') + $Arguments + @('-CommonFile', $commonFile)) {
        $start.ArgumentList.Add($argument)
    }
    $start.UseShellExecute = $false
    $start.RedirectStandardInput = $true
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $child = [System.Diagnostics.Process]::Start($start)
    try {
        $errors = $child.StandardError.ReadToEndAsync()
        $ready = $child.StandardOutput.ReadLine()
        if ($ready -eq 'ready') {
            if ($Conditioned) { Invoke-ConditioningCopy $Direction }
            Initialize-NextCopy
            $child.StandardInput.WriteLine('go')
            $child.StandardInput.Flush()
        }
        $text = $child.StandardOutput.ReadToEnd()
        $child.WaitForExit()
        if ($ready -ne 'ready' -or $child.ExitCode -ne 0) {
            throw "The child pwsh copying $Direction failed (exit code $($child.ExitCode)): $ready $text $($errors.Result)"
        }
        ($text -split "`n" | Where-Object { $_.Trim() } | Select-Object -Last 1) | ConvertFrom-Json
    }
    finally {
        if (-not $child.HasExited) { $child.Kill() }
        $child.Dispose()
    }
}

# Memory written to and freed from /dev/shm before each timed copy (Initialize-NextCopy, and the
# child between its copies); 0 where there is no /dev/shm.
$primeMB = if (Test-Path -LiteralPath '/dev/shm') { $SizeMB + 256 } else { 0 }
# The checked copies still to be removed, right before the next timed copy starts.
$script:pendingRemoval = [System.Collections.Generic.List[string]]::new()
$script:cpuAtStart = 0.0
function Initialize-NextCopy {
    # Untimed, right before every timed copy (for the module, once its child pwsh is ready), so that
    # each copy, the module's and curl's alike, starts from the same state of the machine:
    # - the copies before it are removed and `sync` waits until every dirty page is on disk, so no copy
    #   competes with the writeback of the one before it (that made copies 2 to 4 times slower at random);
    # - $SizeMB plus 256 MiB of memory are written to and freed from /dev/shm. On a virtual machine
    #   with free page reporting, memory left free for a second or two goes back to the host, and a
    #   copy that fills the page cache with such memory waits for the host to back every page (it shows
    #   as the writer's time in copy_folio_from_iter_atomic): curl uploads of 1 GiB took 0.65 to 0.7 s
    #   right after a removal, 1.3 to 1.7 s three seconds later.
    foreach ($path in $script:pendingRemoval) {
        Remove-Item -LiteralPath $path -ErrorAction SilentlyContinue
    }
    $script:pendingRemoval.Clear()
    & sync
    if ($primeMB -gt 0) {
        $scratch = "/dev/shm/sbx-bench-$PID"
        & dd if=/dev/zero "of=$scratch" bs=1M "count=$primeMB" status=none
        Remove-Item -LiteralPath $scratch
    }
}

function Invoke-ConditioningCopy([ValidateSet('up', 'down')] [string] $Direction) {
    # Untimed: a curl copy the same way as the timed one that follows, so that every timed copy comes
    # after a copy of its own kind. What came before changed a copy's time by more than the difference
    # being measured (an upload right after a download took up to twice as long as one after an
    # upload, whichever client made it), and without this the order of the steps decided who paid.
    $before = Get-AgentCpu
    if ($Direction -eq 'up') {
        $target = Join-Path $agent.Home 'conditioning.bin'
        $null = Invoke-Curl @('--output', '/dev/null', '--form', "file=@$source", '--form', "path=$target", "$baseUrl/upload")
    }
    else {
        $target = Join-Path $work 'conditioning.bin'
        $null = Invoke-Curl @('--output', $target, "$baseUrl/download/$remoteUrlPath")
    }
    $script:pendingRemoval.Add($target)
    $script:cpuAtStart += (Get-AgentCpu) - $before # not the timed step's
}

function Get-AgentCpu {
    $agent.Process.Refresh()
    $agent.Process.TotalProcessorTime.TotalSeconds
}

function Invoke-Curl([string[]] $Arguments) {
    $all = @('--silent', '--show-error', '--fail', '--header', "@$headerFile", '--write-out', $curlTimeFormat)
    if ($Protocol -eq 'Grpc') { $all += '--http2-prior-knowledge' }
    $text = & curl @($all + $Arguments)
    if ($LASTEXITCODE -ne 0) {
        throw "curl $($Arguments -join ' ') failed with exit code $LASTEXITCODE`: $text"
    }
    [double]::Parse(($text | Select-Object -Last 1), [cultureinfo]::InvariantCulture)
}

$loadAtStart = Get-LoadAverage

$work = Join-Path ([System.IO.Path]::GetTempPath()) ('sbx-bench-transfer-' + [guid]::NewGuid().ToString('N').Substring(0, 12))
New-Item -ItemType Directory -Path $work | Out-Null
$agent = $null
try {
    $childFile = Join-Path $work 'copy-child.ps1'
    Set-Content -LiteralPath $childFile -Value $childScript
    $commonFile = Join-Path $work 'child-common.ps1'
    Set-Content -LiteralPath $commonFile -Value $childCommon
    $bareChildFile = Join-Path $work 'bare-upload-child.ps1'
    Set-Content -LiteralPath $bareChildFile -Value $bareChildScript

    $source = Join-Path $work 'big.bin'
    $created = Measure-Command { New-RandomFile $source $SizeMB }
    & sync
    $sourceHash = (Get-FileHash -LiteralPath $source -Algorithm SHA256).Hash
    $bytes = (Get-Item -LiteralPath $source).Length
    Write-Host ("Created {0} MiB of random bytes in {1:0.0} s" -f $SizeMB, $created.TotalSeconds)

    $agentArguments = @{}
    if ($AgentPath) { $agentArguments.AgentPath = (Resolve-Path $AgentPath).ProviderPath }
    $agent = Start-TestAgent @agentArguments
    $env:SBX_BENCH_TOKEN = $agent.Token
    # curl reads the token from a file, so it never appears on a command line.
    $headerFile = Join-Path $work 'headers.txt'
    Set-Content -LiteralPath $headerFile -Value "X-Access-Token: $($agent.Token)"
    $remote = Join-Path $agent.Home 'big.bin'         # the sandbox side (the local agent's file system)
    $remoteUrlPath = $remote.TrimStart('/')
    $domain = if ($Protocol -eq 'Grpc') { $agent.Http2Domain } else { $agent.Domain }
    $baseUrl = "http://$domain"

    # Put one copy on the sandbox side for the downloads (by curl; checked).
    $null = Invoke-Curl @('--output', '/dev/null', '--form', "file=@$source", '--form', "path=$remote", "$baseUrl/upload")
    Assert-SameHash $sourceHash $remote 'seeding the sandbox side'
    & sync

    # Not timed: a small copy each way by the module first. The local agent is a fresh .NET process
    # whose RPC paths (Stat, Move) compile on their first call, which curl's copies never make; the
    # real agent is a long-running server.
    $agentWarmUp = Join-Path $work 'agent-warm-up.bin'
    New-RandomFile $agentWarmUp 1
    $null = Invoke-ModuleCopy up $agentWarmUp (Join-Path $agent.Home 'agent-warm-up.bin')
    $null = Invoke-ModuleCopy down (Join-Path $agent.Home 'agent-warm-up.bin') (Join-Path $work 'agent-warm-up-back.bin')

    # Per step: the module's (and the bare client's) child results, curl's seconds. The bare .NET
    # upload serves the first-upload goal, which is measured over gRPC-Web: it runs there only.
    $ups = @('ModuleUp', 'CurlUp') + $(if ($Protocol -eq 'GrpcWeb') { 'BareUp' })
    $results = @{}
    $agentCpu = @{}
    foreach ($step in @($ups) + 'ModuleDown', 'CurlDown') {
        $results[$step] = [System.Collections.Generic.List[object]]::new()
        $agentCpu[$step] = 0.0
    }
    $upTarget = Join-Path $agent.Home 'up.bin'
    $downTarget = Join-Path $work 'down.bin'
    $curlArguments = @{
        up   = @('--output', '/dev/null', '--form', "file=@$source", '--form', "path=$upTarget", "$baseUrl/upload")
        down = @('--output', $downTarget, "$baseUrl/download/$remoteUrlPath")
    }
    # One timed copy, checked; the agent's CPU is read around it (for the module: child start-up
    # included, which costs the agent little; the conditioning copy is not counted). -Progress and
    # -Repeat are the module's (its child draws progress, or copies that many times).
    function Invoke-TimedStep([ValidateSet('Module', 'Curl', 'Bare')] [string] $Client, [ValidateSet('up', 'down')] [string] $Direction,
        [switch] $Progress, [int] $Repeat = 1) {
        $from, $to = if ($Direction -eq 'up') { $source, $upTarget } else { $remote, $downTarget }
        if ($Client -ne 'Curl') {
            $script:cpuAtStart = Get-AgentCpu
            $result = if ($Client -eq 'Module') { Invoke-ModuleCopy $Direction $from $to -Progress:$Progress -Repeat $Repeat -Conditioned }
            else { Invoke-BareUpload $from $to }
        }
        else {
            Invoke-ConditioningCopy $Direction
            $script:cpuAtStart = Get-AgentCpu
            Initialize-NextCopy
            $result = Invoke-Curl $curlArguments[$Direction]
        }
        Assert-SameHash $sourceHash $to ("$Client $Direction" + $(if ($Progress) { ' (progress on)' }) + $(if ($Repeat -gt 1) { " ($Repeat times in one child)" }))
        $script:pendingRemoval.Add($to)
        $result
    }
    for ($run = 1; $run -le $Runs; $run++) {
        # Paired runs in turning order, so that no side always follows the same step: the uploads'
        # order turns by one each run (module, curl and the bare client first in turn), the downloads
        # alternate (module first in odd runs, curl in even ones).
        $turn = ($run - 1) % $ups.Count
        $upOrder = @($ups[$turn..($ups.Count - 1)]) + $(if ($turn) { $ups[0..($turn - 1)] })
        $order = @($upOrder) + $(if ($run % 2) { 'ModuleDown', 'CurlDown' } else { 'CurlDown', 'ModuleDown' })
        foreach ($step in $order) {
            $client, $direction = $step -csplit '(?<=[a-z])(?=[A-Z])'
            $result = Invoke-TimedStep $client $direction.ToLowerInvariant()
            $agentCpu[$step] += (Get-AgentCpu) - $script:cpuAtStart
            $results[$step].Add($result)
        }
        Write-Host ("Run {0}: module up {1:0.00} s, curl up {2:0.00} s{5}, module down {3:0.00} s, curl down {4:0.00} s" -f `
                $run, $results.ModuleUp[-1].Seconds, $results.CurlUp[-1], $results.ModuleDown[-1].Seconds, $results.CurlDown[-1],
            $(if ($results.BareUp) { ', bare .NET up {0:0.00} s' -f $results.BareUp[-1].Seconds }))
    }
    $moduleUp = $results.ModuleUp; $curlUp = [double[]]$results.CurlUp; $moduleDown = $results.ModuleDown; $curlDown = [double[]]$results.CurlDown

    $progressUp = $null; $progressDown = $null
    if (-not $SkipProgressRun) {
        $progressUp = Invoke-TimedStep Module up -Progress
        $progressDown = Invoke-TimedStep Module down -Progress
    }

    # Twice in one child: the second copy shows the throughput without the process's first-use costs (JIT, first connection).
    $warmUp = Invoke-TimedStep Module up -Repeat 2
    $warmDown = Invoke-TimedStep Module down -Repeat 2

    # Peak memory for a small file: if the peak for the big one is no higher, it does not grow with the size.
    $small = Join-Path $work 'small.bin'
    New-RandomFile $small $SmallSizeMB
    $smallHash = (Get-FileHash -LiteralPath $small -Algorithm SHA256).Hash
    $smallRemote = Join-Path $agent.Home 'small.bin'
    $smallUp = Invoke-ModuleCopy up $small $smallRemote
    Assert-SameHash $smallHash $smallRemote 'Copy-SbxItem -ToSandbox (small)'
    $smallBack = Join-Path $work 'small-back.bin'
    $smallDown = Invoke-ModuleCopy down $smallRemote $smallBack
    Assert-SameHash $smallHash $smallBack 'Copy-SbxItem -FromSandbox (small)'
}
finally {
    Remove-Item Env:SBX_BENCH_TOKEN -ErrorAction SilentlyContinue
    if ($agent) { Stop-TestAgent $agent }   # removes the agent's home, with the sandbox-side copies
    Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue
}

$MiB = 1MB
function Get-Rate([double] $Seconds) { $bytes / $MiB / $Seconds }
function Get-PeakMB($Results) { [Math]::Round(($Results | ForEach-Object Peak | Measure-Object -Maximum).Maximum / $MiB, 0) }

$moduleUpRate = Get-Rate (Get-Median ($moduleUp | ForEach-Object Seconds))
$moduleDownRate = Get-Rate (Get-Median ($moduleDown | ForEach-Object Seconds))
$curlUpRate = Get-Rate (Get-Median $curlUp)
$curlDownRate = Get-Rate (Get-Median $curlDown)
$baseline = [Math]::Round((@($moduleUp) + @($moduleDown) | ForEach-Object PeakBefore | Measure-Object -Maximum).Maximum / $MiB, 0)

function Format-Spread([double[]] $Seconds) {
    '{0:0} to {1:0}' -f (Get-Rate ($Seconds | Measure-Object -Maximum).Maximum), (Get-Rate ($Seconds | Measure-Object -Minimum).Minimum)
}

# What the runtime compiled during a child's copies: methods and seconds, medians over the runs.
function Format-Jit($Results) {
    '{0:0} / {1:0.00}' -f (Get-Median ($Results | ForEach-Object JitMethods)), (Get-Median ($Results | ForEach-Object JitSeconds))
}

$report = [ordered]@{
    "File size"                                 = "$SizeMB MiB, $(if ($Protocol -eq 'Grpc') { "the gRPC port (a gRPC session's transfers over HTTP/1.1, curl's over HTTP/2)" } else { 'HTTP/1.1' }), median of $Runs; 1-min load average $loadAtStart at start, $(Get-LoadAverage) at end ($([Environment]::ProcessorCount) cores)"
    'Copy-SbxItem -ToSandbox (MiB/s)'           = [Math]::Round($moduleUpRate, 0)
    'curl upload (MiB/s)'                       = [Math]::Round($curlUpRate, 0)
    'Upload module / curl (goal >= 0.95)'       = [Math]::Round($moduleUpRate / $curlUpRate, 2)
    'Upload JIT in the child: methods compiled, compile s (median)' = Format-Jit $moduleUp
    'Copy-SbxItem -FromSandbox (MiB/s)'         = [Math]::Round($moduleDownRate, 0)
    'curl download (MiB/s)'                     = [Math]::Round($curlDownRate, 0)
    'Download module / curl (goal >= 0.95)'     = [Math]::Round($moduleDownRate / $curlDownRate, 2)
    'CPU s per GiB up: pwsh child / agent (module), agent (curl)' = '{0:0.0} / {1:0.0}, {2:0.0}' -f `
        ((Get-Median ($moduleUp | ForEach-Object CpuSeconds)) * 1024 / $SizeMB), ($agentCpu.ModuleUp / $Runs * 1024 / $SizeMB), ($agentCpu.CurlUp / $Runs * 1024 / $SizeMB)
    'CPU s per GiB down: pwsh child / agent (module), agent (curl)' = '{0:0.0} / {1:0.0}, {2:0.0}' -f `
        ((Get-Median ($moduleDown | ForEach-Object CpuSeconds)) * 1024 / $SizeMB), ($agentCpu.ModuleDown / $Runs * 1024 / $SizeMB), ($agentCpu.CurlDown / $Runs * 1024 / $SizeMB)
    'Spread of the runs, up: module; curl (MiB/s)'   = '{0}; {1}' -f (Format-Spread ($moduleUp | ForEach-Object Seconds)), (Format-Spread $curlUp)
    'Spread of the runs, down: module; curl (MiB/s)' = '{0}; {1}' -f (Format-Spread ($moduleDown | ForEach-Object Seconds)), (Format-Spread $curlDown)
    'Second copy in the same child: up / down (MiB/s)' = '{0:0} / {1:0}' -f (Get-Rate $warmUp.Last), (Get-Rate $warmDown.Last)
    'Child pwsh peak before copying (MiB)'      = $baseline
    "Peak, upload $SizeMB MiB (MiB, goal < 200)"   = Get-PeakMB $moduleUp
    "Peak, download $SizeMB MiB (MiB, goal < 200)" = Get-PeakMB $moduleDown
    "Peak, 2 copies in one child: up / down (MiB)" = '{0} / {1}' -f (Get-PeakMB $warmUp), (Get-PeakMB $warmDown)
    "Peak, upload $SmallSizeMB MiB (MiB)"       = Get-PeakMB $smallUp
    "Peak, download $SmallSizeMB MiB (MiB)"     = Get-PeakMB $smallDown
}
if ($results.BareUp) {
    # The first upload of a bare .NET HttpClient in a fresh pwsh: what any .NET client pays there.
    $bareUp = $results.BareUp
    $bareUpRate = Get-Rate (Get-Median ($bareUp | ForEach-Object Seconds))
    $report['Bare .NET HttpClient upload (MiB/s)'] = [Math]::Round($bareUpRate, 0)
    $report['Bare .NET / curl; module / bare .NET'] = '{0:0.00}; {1:0.00}' -f ($bareUpRate / $curlUpRate), ($moduleUpRate / $bareUpRate)
    $report['Bare .NET upload JIT: methods compiled, compile s (median)'] = Format-Jit $bareUp
    $report['CPU s per GiB up: bare .NET child / agent'] = '{0:0.0} / {1:0.0}' -f `
        ((Get-Median ($bareUp | ForEach-Object CpuSeconds)) * 1024 / $SizeMB), ($agentCpu.BareUp / $Runs * 1024 / $SizeMB)
    $report['Spread of the runs, up: bare .NET (MiB/s)'] = Format-Spread ($bareUp | ForEach-Object Seconds)
}
if ($progressUp) {
    $report['Progress on: upload (MiB/s, one run)'] = [Math]::Round((Get-Rate $progressUp.Seconds), 0)
    $report['Progress on: download (MiB/s, one run)'] = [Math]::Round((Get-Rate $progressDown.Seconds), 0)
    $report['Progress on: peak up / down (MiB)'] = '{0} / {1}' -f (Get-PeakMB $progressUp), (Get-PeakMB $progressDown)
}
[pscustomobject]$report | Format-List | Out-String -Width 200

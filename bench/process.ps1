<#
.SYNOPSIS
    Output throughput and start-up round trip of Start-SbxProcess against the local agent, next to the same work done locally in the same run.
.DESCRIPTION
    Measures (not a test; nothing here asserts a time, but a byte or line count that is off fails the run):
      - records mode: `yes 0123456789abcdef | head -c N` (N = -SizeMB) through Start-SbxProcess,
        summing the Bytes of the stdout records in a ForEach-Object: the first stream of the fresh
        agent and pwsh shown apart, then -Pairs warm ones, each after a local read (below), medians
        compared;
      - the same stream read by curl (the Start RPC as gRPC-Web), to show the agent's share;
      - -AsText mode: the same command with N = -TextSizeMB (17-byte lines, so per-line cost is what
        is measured), counting the lines with Measure-Object and with ForEach-Object;
      - the local ceilings in the same run: the same command piped into `wc -c` / `wc -l` in bash,
        a .NET Process reading its stdout pipe in 64 KiB reads, and pwsh reading the lines of the
        same command run as a local native command (Measure-Object and ForEach-Object);
      - the CPU time the agent and this pwsh spent on each streamed run, and the thread-pool work
        items this pwsh ran per output object, to show what dominates;
      - the round trip of `Start-SbxProcess true` (-Starts times, sequentially, after two warm-up
        starts): median and p90, next to curl sending the same Start RPC as gRPC-Web (in blocks of
        20 that alternate with the module's, one kept-alive connection per block: the agent's
        share) and a local `/bin/true` started from this pwsh.
    Run it with `dotnet pwsh ./build.ps1 bench` (which builds first).
#>
param(
    [int] $SizeMB = 1024,
    # Text mode pays per line (17 bytes each here); 1 GiB would be 63 million pipeline objects.
    [int] $TextSizeMB = 64,
    [int] $Starts = 200,
    # Warm record streams, each after a local read of the same command: medians compared.
    [int] $Pairs = 3,
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/ScaleBox.Sandbox'),
    [string] $AgentPath
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$root = Join-Path $PSScriptRoot '..'
. (Join-Path $root 'tests/pester/TestAgent.ps1')
. (Join-Path $PSScriptRoot 'BenchCommon.ps1')
$modulePath = (Resolve-Path $ModulePath).ProviderPath
$line = '0123456789abcdef'


function Get-Percentile([double[]] $Values, [double] $Percent) {
    $sorted = $Values | Sort-Object
    $sorted[[int][Math]::Ceiling($Percent / 100 * $sorted.Count) - 1]
}

function Get-YesCommand([long] $Bytes) { "yes $line 2>/dev/null | head -c $Bytes" }

function New-StartFrame([string] $FilePath, [string[]] $Arguments) {
    <# A gRPC-Web frame holding StartRequest{process: ProcessConfig{cmd, args}}, for curl. #>
    function Get-Field([int] $Tag, [byte[]] $Value) {
        $length = [System.Collections.Generic.List[byte]]::new()
        $n = $Value.Length
        do { $b = $n -band 0x7F; $n = $n -shr 7; if ($n) { $b = $b -bor 0x80 }; $length.Add([byte]$b) } while ($n)
        [byte[]](@([byte](($Tag -shl 3) -bor 2)) + $length + $Value)
    }
    $utf8 = [System.Text.Encoding]::UTF8
    $config = [byte[]](Get-Field 1 $utf8.GetBytes($FilePath))
    foreach ($argument in $Arguments) { $config += Get-Field 2 $utf8.GetBytes($argument) }
    $payload = [byte[]](Get-Field 1 $config)
    $n = $payload.Length
    [byte[]](@(0, (($n -shr 24) -band 0xFF), (($n -shr 16) -band 0xFF), (($n -shr 8) -band 0xFF), ($n -band 0xFF)) + $payload)
}

function Measure-Streamed([scriptblock] $Work) {
    <# Runs $Work, and returns its seconds, its result, and the CPU both sides spent meanwhile. #>
    $self = [System.Diagnostics.Process]::GetCurrentProcess()
    $agent.Process.Refresh(); $self.Refresh()
    $agentCpu = $agent.Process.TotalProcessorTime
    $selfCpu = $self.TotalProcessorTime
    $workItems = [System.Threading.ThreadPool]::CompletedWorkItemCount
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    $result = & $Work
    $seconds = $watch.Elapsed.TotalSeconds
    $agent.Process.Refresh(); $self.Refresh()
    [pscustomobject]@{
        Seconds    = $seconds
        Result     = $result
        AgentCpu   = ($agent.Process.TotalProcessorTime - $agentCpu).TotalSeconds
        PwshCpu    = ($self.TotalProcessorTime - $selfCpu).TotalSeconds
        WorkItems  = [System.Threading.ThreadPool]::CompletedWorkItemCount - $workItems
    }
}

function Assert-Count([long] $Expected, [long] $Actual, [string] $What) {
    if ($Expected -ne $Actual) {
        throw "COUNT MISMATCH in $What`: expected $Expected, got $Actual."
    }
}

$loadAtStart = Get-LoadAverage
$bytes = [long]$SizeMB * 1MB
$textBytes = [long]$TextSizeMB * 1MB
$textLines = [long][Math]::Ceiling($textBytes / ($line.Length + 1))

# ---------------------------------------------------------------- local ceilings (no agent yet)
$localWc = Measure-Command { $count = & bash -c "$(Get-YesCommand $bytes) | wc -c" }
Assert-Count $bytes ([long]$count) 'local wc -c'

function Measure-LocalRead {
    <# The same command's stdout read by a .NET Process in 64 KiB reads: seconds. #>
    $start = [System.Diagnostics.ProcessStartInfo]::new('bash')
    $start.ArgumentList.Add('-c'); $start.ArgumentList.Add((Get-YesCommand $bytes))
    $start.RedirectStandardOutput = $true
    $start.UseShellExecute = $false
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    $process = [System.Diagnostics.Process]::Start($start)
    $pipe = $process.StandardOutput.BaseStream
    $buffer = [byte[]]::new(64KB)
    $read = [long]0
    while (($n = $pipe.Read($buffer, 0, $buffer.Length)) -gt 0) { $read += $n }
    $process.WaitForExit()
    $seconds = $watch.Elapsed.TotalSeconds
    $process.Dispose()
    Assert-Count $bytes $read 'local .NET pipe read'
    $seconds
}
$null = Measure-LocalRead # a first run, not kept: its rate is measured below, alternating with the records'

$localWcLines = Measure-Command { $count = & bash -c "$(Get-YesCommand $textBytes) | wc -l" }
Assert-Count ([long][Math]::Floor($textBytes / ($line.Length + 1))) ([long]$count) 'local wc -l (newlines: a last partial line is not counted)'
$localMeasure = Measure-Command { $count = (& bash -c (Get-YesCommand $textBytes) | Measure-Object).Count }
Assert-Count $textLines $count 'local native lines | Measure-Object'
$localForEach = Measure-Command { $count = 0; & bash -c (Get-YesCommand $textBytes) | ForEach-Object { $count++ } }
Assert-Count $textLines $count 'local native lines | ForEach-Object'

$localTrueMs = [double[]]::new($Starts)
$watch = [System.Diagnostics.Stopwatch]::new()
$null = & /bin/true
for ($i = 0; $i -lt $Starts; $i++) {
    $watch.Restart()
    & /bin/true
    $localTrueMs[$i] = $watch.Elapsed.TotalMilliseconds
}

# ---------------------------------------------------------------- through the agent
$agentArguments = @{}
if ($AgentPath) { $agentArguments.AgentPath = (Resolve-Path $AgentPath).ProviderPath }
$agent = Start-TestAgent @agentArguments
try {
    Import-Module $modulePath
    $OutputType = [ScaleBox.Sandbox.Client.Processes.SandboxProcessOutput]
    $null = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token
    $null = Start-SbxProcess true   # opens the channel
    $null = Start-SbxProcess true

    $measureRecords = {
        Measure-Streamed {
            $total = [long]0
            $chunks = 0
            Start-SbxProcess -FilePath bash -ArgumentList '-c', (Get-YesCommand $bytes) -AsRecord | ForEach-Object {
                if ($_ -is $OutputType -and $_.Stream -eq 'Stdout') { $total += $_.Bytes.Length; $chunks++ }
            }
            [pscustomobject]@{ Bytes = $total; Chunks = $chunks }
        }
    }
    # The first stream runs while the runtime still compiles the hot paths of the agent and of this
    # pwsh (in a profile of that run, the JIT's background threads of the two processes took about
    # 1.7 s of CPU); the later ones show the steady rate. The real agent is not .NET: its rate is the
    # warm one.
    $firstRecords = & $measureRecords
    Assert-Count $bytes $firstRecords.Result.Bytes 'Start-SbxProcess records (first stream)'
    # Warm streams alternating with the local read, -Pairs times, medians compared: the local rate
    # alone swung from 395 to 687 MiB/s between two runs on the same machine.
    $recordRuns = @(); $localSeconds = @()
    for ($pair = 1; $pair -le $Pairs; $pair++) {
        $localSeconds += Measure-LocalRead
        $run = & $measureRecords
        Assert-Count $bytes $run.Result.Bytes 'Start-SbxProcess records'
        $recordRuns += $run
    }
    $medianRecordSeconds = Get-Median ($recordRuns | ForEach-Object Seconds)
    # The run whose chunks and CPU are shown: the middle one by time (the lower of two for an even -Pairs).
    $records = @($recordRuns | Sort-Object Seconds)[[Math]::Floor(($recordRuns.Count - 1) / 2)]

    # The same stream read by curl (the same Start RPC as gRPC-Web, to /dev/null): the agent's share.
    $streamBody = Join-Path $agent.Home 'stream.bin'
    [System.IO.File]::WriteAllBytes($streamBody, (New-StartFrame bash @('-c', (Get-YesCommand $bytes))))
    $headerFile = Join-Path $agent.Home 'headers.txt'
    Set-Content -LiteralPath $headerFile -Value "X-Access-Token: $($agent.Token)", 'Content-Type: application/grpc-web+proto'
    $curlStream = Measure-Streamed {
        & curl --silent --show-error --header "@$headerFile" --data-binary "@$streamBody" --output /dev/null `
            --write-out '%{http_code} %{size_download}' "http://$($agent.Domain)/sandboxagent.Process/Start"
    }
    $code, $size = $curlStream.Result -split ' '
    if ($code -ne '200' -or [long]$size -lt $bytes) { throw "curl's Start stream answered $code with $size bytes (expected more than $bytes)." }

    $textMeasure = Measure-Streamed { (Start-SbxProcess -FilePath bash -ArgumentList '-c', (Get-YesCommand $textBytes) -AsText | Measure-Object).Count }
    Assert-Count $textLines $textMeasure.Result 'Start-SbxProcess -AsText | Measure-Object'
    $textForEach = Measure-Streamed {
        $count = 0
        Start-SbxProcess -FilePath bash -ArgumentList '-c', (Get-YesCommand $textBytes) -AsText | ForEach-Object { $count++ }
        $count
    }
    Assert-Count $textLines $textForEach.Result 'Start-SbxProcess -AsText | ForEach-Object'

    # The round trip, in blocks that alternate between the module and curl, so that a change in the
    # machine's load during the run weighs on both alike. curl sends the same Start RPC as gRPC-Web
    # (StartRequest{process{cmd:"true"}}) on one kept-alive connection per block, each stream read
    # to its end: the agent's share of the round trip.
    $command = [System.Text.Encoding]::ASCII.GetBytes('true')
    $config = [byte[]](@(0x0A, $command.Length) + $command)
    $payload = [byte[]](@(0x0A, $config.Length) + $config)
    $body = Join-Path $agent.Home 'start.bin'
    [System.IO.File]::WriteAllBytes($body, [byte[]](@(0, 0, 0, 0, $payload.Length) + $payload))
    $block = 20
    $curlConfig = Join-Path $agent.Home 'curl.cfg'
    $trueMs = [System.Collections.Generic.List[double]]::new()
    $curlStartMs = [System.Collections.Generic.List[double]]::new()
    while ($trueMs.Count -lt $Starts) {
        $count = [Math]::Min($block, $Starts - $trueMs.Count)
        for ($i = 0; $i -lt $count; $i++) {
            $watch.Restart()
            $exit = Start-SbxProcess true -AsRecord
            $trueMs.Add($watch.Elapsed.TotalMilliseconds)
            if ($exit.ExitCode -ne 0) { throw "Start-SbxProcess true returned $($exit.ExitCode)." }
        }
        Set-CurlGrpcWebConfig -Path $curlConfig -Url "http://$($agent.Domain)/sandboxagent.Process/Start" -Token $agent.Token `
            -BodyPath $body -Requests $count -WriteOut '%{http_code} %{size_download} %{time_total}\n'
        & curl --silent --config $curlConfig | ForEach-Object {
            $code, $size, $seconds = $_ -split ' '
            if ($code -ne '200' -or [int]$size -lt 20) { throw "curl's Start answered $code with $size bytes." }
            $curlStartMs.Add([double]::Parse($seconds, [cultureinfo]::InvariantCulture) * 1000)
        }
    }
}
finally {
    Stop-TestAgent $agent
}

function Get-Rate([long] $Count, [double] $Seconds) { [Math]::Round($Count / 1MB / $Seconds, 1) }
$recordsRate = Get-Rate $bytes $medianRecordSeconds
$dotNetRate = Get-Rate $bytes (Get-Median $localSeconds)
[pscustomobject][ordered]@{
    'Machine'                                                    = "$([Environment]::ProcessorCount) cores; 1-min load average $loadAtStart at start, $(Get-LoadAverage) at end"
    "Records: $SizeMB MiB, first stream of a fresh agent and pwsh (MiB/s)" = Get-Rate $bytes $firstRecords.Seconds
    "Records: $SizeMB MiB through Start-SbxProcess, median of $Pairs warm (MiB/s)" = $recordsRate
    'Records: chunks / CPU s agent, pwsh / pool items per chunk' = '{0} / {1:0.0}, {2:0.0} / {3:0.0}' -f $records.Result.Chunks, $records.AgentCpu, $records.PwshCpu, ($records.WorkItems / $records.Result.Chunks)
    'curl reading the same stream (MiB/s) / CPU s agent'         = '{0} / {1:0.0}' -f (Get-Rate $bytes $curlStream.Seconds), $curlStream.AgentCpu
    'Local: same command | wc -c (MiB/s)'                        = Get-Rate $bytes $localWc.TotalSeconds
    "Local: .NET Process reading the pipe, median of $Pairs (MiB/s)" = $dotNetRate
    'Records / local .NET read'                                  = [Math]::Round($recordsRate / $dotNetRate, 2)
    "Text: $TextSizeMB MiB, $textLines lines | Measure-Object (MiB/s, lines/s)" = '{0} / {1:N0}' -f (Get-Rate $textBytes $textMeasure.Seconds), ($textLines / $textMeasure.Seconds)
    'Text | Measure-Object: CPU s agent, pwsh / pool items per line' = '{0:0.0}, {1:0.0} / {2:0.00}' -f $textMeasure.AgentCpu, $textMeasure.PwshCpu, ($textMeasure.WorkItems / $textLines)
    'Text | ForEach-Object (MiB/s, lines/s)'                     = '{0} / {1:N0}' -f (Get-Rate $textBytes $textForEach.Seconds), ($textLines / $textForEach.Seconds)
    'Text | ForEach-Object: CPU s agent, pwsh / pool items per line' = '{0:0.0}, {1:0.0} / {2:0.00}' -f $textForEach.AgentCpu, $textForEach.PwshCpu, ($textForEach.WorkItems / $textLines)
    'Local: same command | wc -l (MiB/s)'                        = Get-Rate $textBytes $localWcLines.TotalSeconds
    'Local: native command lines | Measure-Object (MiB/s, lines/s)' = '{0} / {1:N0}' -f (Get-Rate $textBytes $localMeasure.TotalSeconds), ($textLines / $localMeasure.TotalSeconds)
    'Local: native command lines | ForEach-Object (MiB/s, lines/s)' = '{0} / {1:N0}' -f (Get-Rate $textBytes $localForEach.TotalSeconds), ($textLines / $localForEach.TotalSeconds)
    "Start-SbxProcess true, $($trueMs.Count) starts (ms, median / p90)"   = '{0:0.00} / {1:0.00}' -f (Get-Median $trueMs), (Get-Percentile $trueMs 90)
    "curl, the same Start RPC, $($curlStartMs.Count) (ms, median / p90)" = '{0:0.00} / {1:0.00}' -f (Get-Median $curlStartMs), (Get-Percentile $curlStartMs 90)
    "Local /bin/true from pwsh, $Starts starts (ms, median / p90)" = '{0:0.00} / {1:0.00}' -f (Get-Median $localTrueMs), (Get-Percentile $localTrueMs 90)
} | Format-List | Out-String -Width 200

<#
.SYNOPSIS
    Start-up and per-call cost of the module against the local agent, next to curl in the same run.
.DESCRIPTION
    Measures (not a test; nothing here asserts a time):
      - Import-Module in a warm pwsh (median of several fresh child processes),
      - the first call's latency (session creation + first Get-SbxItem, which opens the channel),
      - the median per call of 1000 sequential Get-SbxItem, in a loop and through the pipeline,
      - the reference: curl sending the same gRPC-Web Stat request 1000 times over one kept-alive
        connection, so the ratio shows what the module adds on top of the wire.
    Run it with `dotnet pwsh ./build.ps1 bench` (which builds first).
#>
param(
    [int] $Calls = 1000,
    [int] $ImportRuns = 5
)
$ErrorActionPreference = 'Stop'
$root = Join-Path $PSScriptRoot '..'
. (Join-Path $root 'tests/pester/TestAgent.ps1')
. (Join-Path $PSScriptRoot 'BenchCommon.ps1')
$modulePath = (Resolve-Path (Join-Path $root 'out/ScaleBox.Sandbox')).ProviderPath


# Import-Module, each time in a fresh child process that is already up (a warm pwsh).
$pwsh = Get-PwshCommand
$importMs = foreach ($run in 1..$ImportRuns) {
    $text = & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -Command "(Measure-Command { Import-Module '$modulePath' }).TotalMilliseconds"
    [double]($text | Select-Object -Last 1)
}

$agent = Start-TestAgent
try {
    Import-Module $modulePath
    New-Item -ItemType File -Path (Join-Path $agent.Home 'probe.txt') -Value 'x' | Out-Null

    $first = Measure-Command {
        $null = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token
        $null = Get-SbxItem -Path probe.txt
    }

    $loopMs = [double[]]::new($Calls)
    $watch = [System.Diagnostics.Stopwatch]::new()
    for ($i = 0; $i -lt $Calls; $i++) {
        $watch.Restart()
        $null = Get-SbxItem -Path probe.txt
        $loopMs[$i] = $watch.Elapsed.TotalMilliseconds
    }
    $pipeline = Measure-Command { 1..$Calls | ForEach-Object { 'probe.txt' } | Get-SbxItem | Out-Null }

    # curl: the same Stat as a gRPC-Web frame (flag 0, big-endian length, StatRequest{path}).
    $payload = [byte[]](@(0x0A, 9) + [System.Text.Encoding]::ASCII.GetBytes('probe.txt'))
    $frame = [byte[]](@(0, 0, 0, 0, $payload.Length) + $payload)
    $body = Join-Path $agent.Home 'stat.bin'
    [System.IO.File]::WriteAllBytes($body, $frame)
    $config = Join-Path $agent.Home 'curl.cfg'
    Set-CurlGrpcWebConfig -Path $config -Url "http://$($agent.Domain)/sandboxagent.Filesystem/Stat" -Token $agent.Token -BodyPath $body -Requests $Calls
    $curlSeconds = & curl --silent --config $config
    $curlMs = $curlSeconds | ForEach-Object { [double]::Parse($_, [cultureinfo]::InvariantCulture) * 1000 }
}
finally {
    Stop-TestAgent $agent
}

$loopMedian = Get-Median $loopMs
$curlMedian = Get-Median $curlMs
[pscustomobject]@{
    'Import-Module (ms, median)'          = [Math]::Round((Get-Median $importMs), 1)
    'First call (ms)'                     = [Math]::Round($first.TotalMilliseconds, 1)
    "Get-SbxItem loop (ms/call, median)"  = [Math]::Round($loopMedian, 3)
    "Get-SbxItem pipeline (ms/call, mean)" = [Math]::Round($pipeline.TotalMilliseconds / $Calls, 3)
    'curl same Stat (ms/call, median)'    = [Math]::Round($curlMedian, 3)
    'Loop / curl'                         = [Math]::Round($loopMedian / $curlMedian, 2)
} | Format-List

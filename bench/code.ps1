<#
.SYNOPSIS
    Round trip and output throughput of Invoke-SbxCode, next to the official @scalebox/sdk 3.7.0's
    runCode on the same local agent in the same run.
.DESCRIPTION
    Measures (not a test; nothing here asserts a time, but a wrong answer fails the run):
      - the median and p90 round trip of `1+1` over -Calls sequential calls in one Python context,
        from the call to its result, for Invoke-SbxCode and for the SDK's runCode (after warm-up);
      - the rate at which -MegaBytes printed by Python (100-byte lines) reach each client: the
        pipeline for Invoke-SbxCode (counted in ForEach-Object), the onStdout callback for the SDK.
    The SDK comes from tests/interop/node_modules (run `npm ci` there first).
    Run it with `dotnet pwsh ./bench/code.ps1` after `dotnet pwsh ./build.ps1 build`.
#>
param(
    [int] $Calls = 200,
    [int] $MegaBytes = 50,
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/ScaleBox.Sandbox')
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$root = Join-Path $PSScriptRoot '..'
. (Join-Path $root 'tests/pester/TestAgent.ps1')
. (Join-Path $PSScriptRoot 'BenchCommon.ps1')

$agent = Start-TestAgent
try {
    Import-Module (Resolve-Path $ModulePath).ProviderPath -Force
    $null = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token
    $context = New-SbxCodeContext

    foreach ($i in 1..5) { $null = Invoke-SbxCode '1+1' -Context $context }
    $times = [System.Collections.Generic.List[double]]::new()
    $clock = [System.Diagnostics.Stopwatch]::new()
    for ($i = 0; $i -lt $Calls; $i++) {
        $clock.Restart()
        $result = Invoke-SbxCode '1+1' -Context $context
        $clock.Stop()
        if ($result.Text -ne '2') { throw "1+1 gave '$($result.Text)'." }
        $times.Add($clock.Elapsed.TotalMilliseconds)
    }
    $sorted = $times | Sort-Object

    $lines = [int][Math]::Floor($MegaBytes * 1MB / 100)
    $count = 0
    $clock.Restart()
    Invoke-SbxCode "for i in range($lines):`n    print('%08d' % i + 'x' * 91)" -Context $context | ForEach-Object { $count++ }
    $clock.Stop()
    if ($count -ne $lines) { throw "Printed $lines lines, received $count." }
    $moduleRate = $lines * 100 / 1MB / $clock.Elapsed.TotalSeconds
    Remove-SbxCodeContext $context

    $interop = Get-InteropFolder $root
    $arguments = @{ token = $agent.Token; calls = $Calls; megabytes = $MegaBytes; interop = $interop } | ConvertTo-Json -Compress
    $sdk = node (Join-Path $PSScriptRoot 'sdk-code.mjs') $agent.Domain $arguments | ConvertFrom-Json
    if ($LASTEXITCODE -ne 0) { throw "sdk-code.mjs failed with exit code $LASTEXITCODE." }

    $moduleMedian = Get-Median $times
    [ordered]@{
        "Invoke-SbxCode '1+1', $Calls calls (ms, median / p90)" = '{0:0.00} / {1:0.00}' -f $moduleMedian, $sorted[[int]($sorted.Count * 0.9)]
        "SDK runCode '1+1', $Calls calls (ms, median / p90)"    = '{0:0.00} / {1:0.00}' -f $sdk.medianMs, $sdk.p90Ms
        'Module / SDK, median round trip'                       = '{0:0.00}' -f ($moduleMedian / $sdk.medianMs)
        "Invoke-SbxCode, $MegaBytes MB printed (MiB/s)"         = '{0:0.0}' -f $moduleRate
        "SDK runCode onStdout, $MegaBytes MB printed (MiB/s)"   = '{0:0.0}' -f $sdk.mibPerSecond
    }
}
finally {
    Get-SbxSession | Remove-SbxSession
    Stop-TestAgent $agent
}

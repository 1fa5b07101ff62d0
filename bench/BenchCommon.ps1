# Helpers shared by the benchmarks. Dot-source it; it defines functions only.

function Get-Median([double[]] $Values) {
    $sorted = $Values | Sort-Object
    $middle = [int][Math]::Floor($sorted.Count / 2)
    if ($sorted.Count % 2) { $sorted[$middle] } else { ($sorted[$middle - 1] + $sorted[$middle]) / 2 }
}

function Assert-SameHash([string] $Expected, [string] $Path, [string] $What) {
    $actual = (Get-FileHash -LiteralPath $Path -Algorithm SHA256).Hash
    if ($actual -ne $Expected) {
        throw "HASH MISMATCH after $What`: '$Path' has SHA-256 $actual, the source $Expected."
    }
}

function Set-CurlGrpcWebConfig {
    <#
    .SYNOPSIS
        Writes a curl config that sends the same gRPC-Web request -Requests times over one kept-alive
        connection: the reference the benchmarks compare the module with. The token stays out of
        curl's command line.
    #>
    param(
        [Parameter(Mandatory)] [string] $Path,
        [Parameter(Mandatory)] [string] $Url,
        [Parameter(Mandatory)] [string] $Token,
        [Parameter(Mandatory)] [string] $BodyPath,
        [Parameter(Mandatory)] [int] $Requests,
        [string] $WriteOut = '%{time_total}\n'
    )
    $lines = foreach ($i in 1..$Requests) {
        'next'
        "url = `"$Url`""
        'header = "Content-Type: application/grpc-web+proto"'
        "header = `"X-Access-Token: $Token`""
        "data-binary = `"@$BodyPath`""
        'output = "/dev/null"'
        "write-out = `"$WriteOut`""
    }
    Set-Content -LiteralPath $Path -Value ($lines | Select-Object -Skip 1)
}

function Get-LoadAverage {
    <# The 1-minute load average (Linux), to print beside the figures: they mean little on a busy machine. #>
    (Get-Content -LiteralPath /proc/loadavg -ErrorAction SilentlyContinue) -split ' ' | Select-Object -First 1
}

function Get-RunName([int] $Run) {
    <# Runs below 1 warm the agent up and are not counted. #>
    if ($Run -lt 1) { 'Warm-up (not counted)' } else { "Run $Run" }
}

function Get-InteropFolder([string] $Root) {
    <# The tests/interop folder whose node_modules holds the official SDK the Node scripts load; throws when it is not installed. #>
    $interop = (Resolve-Path (Join-Path $Root 'tests/interop')).ProviderPath
    if (-not (Test-Path (Join-Path $interop 'node_modules/@scalebox/sdk'))) {
        throw "The official SDK is missing: run 'npm ci' in $interop first."
    }
    $interop
}

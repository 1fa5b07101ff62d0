<#
.SYNOPSIS
    A gRPC session's uploads through a TLS gateway: over HTTP/1.1 (what the session picks where the
    gateway passes it on) next to HTTP/2 (where the gateway passes on only gRPC), with curl for reference.
.DESCRIPTION
    Measures (not a test; nothing here asserts a time, but a transfer whose hash differs fails the run):
      - nginx (the tests' gateway, tests/pester/TestAgent.ps1) in front of the local agent twice:
        Http2, which passes HTTP/1.1 and HTTP/2 on with grpc_pass, and Http2Only, which refuses
        HTTP/1.1, so that a gRPC session's uploads go over HTTP/2;
      - a -SizeMB file uploaded and downloaded with `Copy-SbxItem` in a `-Protocol Grpc` session
        through each, -Runs times, alternating the two gateways, in this one warm pwsh (each session
        has uploaded a small file first). Downloads take HTTP/2 through both: they show the spread;
      - curl's upload and download through the same gateway over HTTP/1.1 and over HTTP/2: whether
        the gateway or the client sets the pace.
    Reports the medians, MiB/s, and the ratio of the uploads over HTTP/2 to those over HTTP/1.1.
    Needs nginx and openssl (apt: nginx-light, openssl); says so and stops without them.
#>
param(
    [int] $SizeMB = 512,
    [int] $Runs = 3,
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/ScaleBox.Sandbox')
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$root = Join-Path $PSScriptRoot '..'
. (Join-Path $root 'tests/pester/TestAgent.ps1')
. (Join-Path $PSScriptRoot 'BenchCommon.ps1')

if (-not (Test-NetworkTools nginx, openssl)) {
    Write-Host 'gateway.ps1: skipped, nginx or openssl is not installed (apt: nginx-light, openssl).'
    return
}

$agent = Start-TestAgent
$authority = New-TestCertificateAuthority
$gateways = [ordered]@{
    'HTTP/1.1' = Start-TestGateway -Agent $agent -Authority $authority -Mode Http2
    'HTTP/2'   = Start-TestGateway -Agent $agent -Authority $authority -Mode Http2Only
}
$work = Join-Path ([System.IO.Path]::GetTempPath()) ('sbx-bench-gw-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
New-Item -ItemType Directory -Path $work | Out-Null
try {
    Import-Module (Resolve-Path $ModulePath).ProviderPath -Force
    $source = Join-Path $work 'source.bin'
    & head -c ($SizeMB * 1MB) /dev/urandom > $source
    $sourceHash = (Get-FileHash -LiteralPath $source -Algorithm SHA256).Hash
    $small = Join-Path $work 'small.bin'
    & head -c 65536 /dev/urandom > $small
    $remote = Join-Path $agent.Home 'gateway-bench.bin'
    # The token stays out of curl's command line.
    $headerFile = Join-Path $work 'headers.txt'
    Set-Content -LiteralPath $headerFile -Value "X-Access-Token: $($agent.Token)"

    function Measure-Curl([string] $Wire, [string[]] $Arguments) {
        <# Seconds curl took (its time_total) for one request through the gateway over $Wire; throws when it failed. #>
        $version = if ($Wire -eq 'HTTP/2') { '--http2' } else { '--http1.1' }
        $text = & curl --silent --show-error --fail --insecure $version --header "@$headerFile" --write-out '%{time_total}' @Arguments
        if ($LASTEXITCODE -ne 0) { throw "curl $($Arguments -join ' ') over $Wire failed with exit code $LASTEXITCODE`: $text" }
        [double]::Parse(($text | Select-Object -Last 1), [cultureinfo]::InvariantCulture)
    }

    $sessions = @{}
    foreach ($wire in $gateways.Keys) {
        $sessions[$wire] = New-SbxSession -Domain $gateways[$wire].Domain -AccessToken $agent.Token -Protocol Grpc -SkipCertificateCheck -WarningAction SilentlyContinue
        Copy-SbxItem -ToSandbox -Path $small -Destination (Join-Path $agent.Home 'warm.bin') -Session $sessions[$wire] -Force
    }

    $rates = @{}
    foreach ($key in 'HTTP/1.1 up', 'HTTP/1.1 down', 'HTTP/2 up', 'HTTP/2 down', 'curl HTTP/1.1 up', 'curl HTTP/2 up', 'curl HTTP/1.1 down', 'curl HTTP/2 down') { $rates[$key] = [System.Collections.Generic.List[double]]::new() }
    for ($run = 1; $run -le $Runs; $run++) {
        $order = if ($run % 2) { @('HTTP/1.1', 'HTTP/2') } else { @('HTTP/2', 'HTTP/1.1') }
        foreach ($wire in $order) {
            $session = $sessions[$wire]
            Remove-Item -LiteralPath $remote -Force -ErrorAction SilentlyContinue
            & sync
            $seconds = (Measure-Command { Copy-SbxItem -ToSandbox -Path $source -Destination $remote -Session $session -Force }).TotalSeconds
            Assert-SameHash $sourceHash $remote "the upload over $wire"
            $rates["$wire up"].Add($SizeMB / $seconds)

            $back = Join-Path $work 'back'
            Remove-Item -LiteralPath $back -Recurse -Force -ErrorAction SilentlyContinue
            New-Item -ItemType Directory -Path $back | Out-Null
            $seconds = (Measure-Command { Copy-SbxItem -FromSandbox -Path $remote -Destination $back -Session $session }).TotalSeconds
            Assert-SameHash $sourceHash (Join-Path $back 'gateway-bench.bin') "the download over $wire"
            $rates["$wire down"].Add($SizeMB / $seconds)

            Remove-Item -LiteralPath $remote -Force -ErrorAction SilentlyContinue
            & sync
            $rates["curl $wire up"].Add($SizeMB / (Measure-Curl $wire '--output', '/dev/null', '--form', "file=@$source", '--form', "path=$remote", "$($gateways[$wire].Domain)/upload"))
            $curlCopy = Join-Path $work 'curl.bin'
            $rates["curl $wire down"].Add($SizeMB / (Measure-Curl $wire '--output', $curlCopy, "$($gateways[$wire].Domain)/download$remote"))
            Assert-SameHash $sourceHash $curlCopy "curl's download over $wire"
            Remove-Item -LiteralPath $curlCopy -Force
        }
    }

    $median = @{}
    foreach ($key in $rates.Keys) { $median[$key] = Get-Median $rates[$key].ToArray() }
    "gRPC session through nginx, $SizeMB MiB, median of $Runs (MiB/s):"
    '  gateway passing HTTP/1.1 on: upload (HTTP/1.1) {0:N0}, download (HTTP/2) {1:N0}' -f $median['HTTP/1.1 up'], $median['HTTP/1.1 down']
    '  gateway passing only HTTP/2:  upload (HTTP/2) {0:N0}, download (HTTP/2) {1:N0}' -f $median['HTTP/2 up'], $median['HTTP/2 down']
    '  upload over HTTP/2 / over HTTP/1.1: {0:N2}' -f ($median['HTTP/2 up'] / $median['HTTP/1.1 up'])
    '  curl through the same gateway: HTTP/1.1 up {0:N0}, down {1:N0}; HTTP/2 up {2:N0}, down {3:N0}' -f $median['curl HTTP/1.1 up'], $median['curl HTTP/1.1 down'],
        $median['curl HTTP/2 up'], $median['curl HTTP/2 down']
}
finally {
    Get-SbxSession | Remove-SbxSession
    foreach ($gateway in $gateways.Values) { Stop-TestTlsGateway $gateway }
    Remove-Item -LiteralPath $authority.Folder -Recurse -Force -ErrorAction SilentlyContinue
    Stop-TestAgent $agent
    Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue
}

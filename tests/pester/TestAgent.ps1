# Starts and stops the real local sandbox agent for tests, the demo and the benchmarks.
# Dot-source it; it defines functions only.

function Get-PwshCommand {
    <# The command line that starts another PowerShell like this one (pwsh, or `dotnet pwsh.dll` under the dotnet tool). #>
    $process = [Environment]::ProcessPath
    if ([System.IO.Path]::GetFileNameWithoutExtension($process) -eq 'dotnet') {
        return @($process, [System.Reflection.Assembly]::GetEntryAssembly().Location)
    }
    @($process)
}

function Get-TestModulePath {
    <#
    .SYNOPSIS
        The module the tests import: the build in out/, or the copy named by SBX_MODULE_UNDER_TEST (an
        installed module's manifest, as the package tests run the smoke set against it).
    #>
    if ($env:SBX_MODULE_UNDER_TEST) {
        return $env:SBX_MODULE_UNDER_TEST
    }
    $path = Join-Path $PSScriptRoot '../../out/ScaleBox.Sandbox'
    if (-not (Test-Path -LiteralPath $path)) {
        throw "The module is not built: run 'dotnet pwsh ./build.ps1 build' first ($path is missing)."
    }
    (Resolve-Path -LiteralPath $path).ProviderPath
}

function Get-TestAgentPath {
    $path = Join-Path $PSScriptRoot '../../out/agent/ScaleBox.Sandbox.Agent.dll'
    if (-not (Test-Path -LiteralPath $path)) {
        throw "The local agent is not built: run 'dotnet pwsh ./build.ps1 build' first ($path is missing)."
    }
    (Resolve-Path -LiteralPath $path).ProviderPath
}

function Start-TestAgent {
    <#
    .SYNOPSIS
        Starts the local agent on 127.0.0.1 with a free port, a random token and a fresh home folder.
    .OUTPUTS
        An object with Domain (HTTP/1.1 port), Http2Domain (HTTP/2 port), Token, Home and Process.
    #>
    param(
        [string] $AgentPath = (Get-TestAgentPath),
        [string] $Token = ([guid]::NewGuid().ToString('N')),
        [int] $TimeoutSec = 30,
        # More options for the agent, such as '--watcher-capacity', '10'.
        [string[]] $ArgumentList = @()
    )
    $agentHome = Join-Path ([System.IO.Path]::GetTempPath()) ('sbx-test-' + [guid]::NewGuid().ToString('N').Substring(0, 12))
    New-Item -ItemType Directory -Path $agentHome | Out-Null

    $start = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
    foreach ($argument in @($AgentPath, '--port', '0', '--http2-port', '0', '--token', $Token, '--home', $agentHome) + $ArgumentList) {
        $start.ArgumentList.Add($argument)
    }
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $start.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($start)
    # Drain stderr so the agent never blocks on a full pipe.
    $null = $process.StandardError.ReadToEndAsync()

    $lines = @()
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
    while ($lines.Count -lt 3) {
        $read = $process.StandardOutput.ReadLineAsync()
        if (-not $read.Wait([Math]::Max(1, ($deadline - [DateTime]::UtcNow).TotalMilliseconds)) -or $null -eq $read.Result) {
            Stop-Process -Id $process.Id -Force -ErrorAction SilentlyContinue
            throw "The local agent did not announce its ports within $TimeoutSec s. Output so far: $($lines -join ' | ')"
        }
        $lines += $read.Result
    }
    if ($lines[0] -notmatch '^Listening on http://(127\.0\.0\.1:\d+)$') {
        Stop-Process -Id $process.Id -Force -ErrorAction SilentlyContinue
        throw "Unexpected first line from the local agent: '$($lines[0])'"
    }
    $domain = $Matches[1]
    $null = $lines[1] -match '(127\.0\.0\.1:\d+)$'
    [pscustomobject]@{
        Domain      = $domain
        Http2Domain = $Matches[1]
        Token       = $Token
        Home        = $agentHome
        Process     = $process
    }
}

function Stop-TestAgent {
    param([Parameter(Mandatory)] $Agent)
    if ($null -eq $Agent) { return }
    if (-not $Agent.Process.HasExited) {
        Stop-Process -Id $Agent.Process.Id -Force -ErrorAction SilentlyContinue
        $null = $Agent.Process.WaitForExit(10000)
    }
    Remove-Item -LiteralPath $Agent.Home -Recurse -Force -ErrorAction SilentlyContinue
}

function Get-ClosedLoopbackPort {
    <#
    .SYNOPSIS
        A 127.0.0.1 port where nothing listens (just released by the OS), for "unreachable agent" tests.
    #>
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try {
        $listener.LocalEndpoint.Port
    }
    finally {
        $listener.Stop()
    }
}

function Wait-Until {
    <# Polls $Condition until it is true; throws after $TimeoutSec, naming the condition. #>
    param([Parameter(Mandatory)][scriptblock] $Condition, [int] $TimeoutSec = 10)
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
    while (-not (& $Condition)) {
        if ([DateTime]::UtcNow -gt $deadline) { throw "Timed out after $TimeoutSec s waiting for { $Condition }" }
        Start-Sleep -Milliseconds 50
    }
}

function Start-InRunspace {
    <#
    .SYNOPSIS
        Starts $Script in a fresh runspace with the module imported and its own session to the
        agent, and returns at once: .PowerShell (Stop() is Ctrl+C), .Output (collects as it comes), .Async.
        By default it uses the caller's $modulePath and $agent.
    #>
    param(
        [Parameter(Mandatory)][string] $Script,
        [string] $ModulePath = $modulePath,
        $Agent = $agent
    )
    $ps = [powershell]::Create()
    $prelude = 'param($Module, $Domain, $Token) Import-Module $Module; $null = New-SbxSession -Domain $Domain -AccessToken $Token' + "`n"
    $null = $ps.AddScript($prelude + $Script).AddArgument($ModulePath).AddArgument($Agent.Domain).AddArgument($Agent.Token)
    $in = [System.Management.Automation.PSDataCollection[psobject]]::new()
    $in.Complete()
    $out = [System.Management.Automation.PSDataCollection[psobject]]::new()
    [pscustomobject]@{ PowerShell = $ps; Output = $out; Async = $ps.BeginInvoke($in, $out) }
}

function Invoke-FreshPwsh {
    <#
    .SYNOPSIS
        Runs $Script in a new pwsh process (nothing loaded, no profile) and returns what it writes to
        the output as objects: the script's output is sent back as JSON. Named arguments reach the
        script as variables ($Arguments.Key becomes $Key). Throws, with the child's errors, when it fails.
    #>
    param(
        [Parameter(Mandatory)][string] $Script,
        [hashtable] $Arguments = @{},
        # Environment variables for the child only (e.g. HOME for a fresh user scope); $null removes one.
        [hashtable] $Environment = @{},
        [int] $TimeoutSec = 300
    )
    $pwsh = Get-PwshCommand
    $argumentsJson = $Arguments | ConvertTo-Json -Compress -Depth 5
    $wrapper = @"
`$ErrorActionPreference = 'Stop'
`$ProgressPreference = 'SilentlyContinue'
`$arguments = [System.Environment]::GetEnvironmentVariable('SBX_FRESH_ARGUMENTS') | ConvertFrom-Json -AsHashtable
foreach (`$key in `$arguments.Keys) { Set-Variable -Name `$key -Value `$arguments[`$key] }
`$result = & { $Script }
ConvertTo-Json -InputObject @(`$result) -Depth 6 -Compress
"@
    $scriptFile = Join-Path ([System.IO.Path]::GetTempPath()) ('sbx-fresh-' + [guid]::NewGuid().ToString('N') + '.ps1')
    Set-Content -LiteralPath $scriptFile -Value $wrapper
    $start = [System.Diagnostics.ProcessStartInfo]::new($pwsh[0])
    foreach ($argument in @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $scriptFile)) {
        $start.ArgumentList.Add($argument)
    }
    $start.Environment['SBX_FRESH_ARGUMENTS'] = $argumentsJson
    foreach ($key in $Environment.Keys) {
        if ($null -eq $Environment[$key]) { $null = $start.Environment.Remove($key) } else { $start.Environment[$key] = $Environment[$key] }
    }
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $start.UseShellExecute = $false
    try {
        $process = [System.Diagnostics.Process]::Start($start)
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        if (-not $process.WaitForExit($TimeoutSec * 1000)) {
            Stop-Process -Id $process.Id -Force -ErrorAction SilentlyContinue
            throw "The child pwsh did not finish within $TimeoutSec s."
        }
        $process.WaitForExit()
    }
    finally {
        Remove-Item -LiteralPath $scriptFile -ErrorAction SilentlyContinue
    }
    if ($process.ExitCode -ne 0) {
        throw "The child pwsh failed (exit code $($process.ExitCode)):`n$($stderr.Result)`n$($stdout.Result)"
    }
    $json = @($stdout.Result -split "`r?`n" | Where-Object { $_ -match '^\[' }) | Select-Object -Last 1
    if (-not $json) { throw "The child pwsh wrote no result:`n$($stdout.Result)`n$($stderr.Result)" }
    $json | ConvertFrom-Json
}

function Get-AssemblyIdentity {
    <# An assembly's name and version, and the names and versions it references, read from its metadata without loading it. #>
    param([string] $Path)
    $stream = [System.IO.File]::OpenRead($Path)
    try {
        $pe = [System.Reflection.PortableExecutable.PEReader]::new($stream)
        $reader = [System.Reflection.Metadata.PEReaderExtensions]::GetMetadataReader($pe)
        $definition = $reader.GetAssemblyDefinition()
        [pscustomobject]@{
            Name       = $reader.GetString($definition.Name)
            Version    = $definition.Version
            References = @(foreach ($handle in $reader.AssemblyReferences) {
                    $reference = $reader.GetAssemblyReference($handle)
                    [pscustomobject]@{ Name = $reader.GetString($reference.Name); Version = $reference.Version }
                })
        }
    }
    finally {
        $stream.Dispose()
    }
}

function Get-InotifyWatchCount {
    <#
    .SYNOPSIS
        How many inotify watches a local process holds (the wd: lines of its inotify descriptors), to
        see that a watch has ended on the agent. Linux only.
    #>
    param([Parameter(Mandatory)] [int] $ProcessId)
    $count = 0
    foreach ($info in Get-ChildItem -LiteralPath "/proc/$ProcessId/fdinfo" -ErrorAction SilentlyContinue) {
        $lines = Get-Content -LiteralPath $info.FullName -ErrorAction SilentlyContinue
        $count += @($lines | Where-Object { $_ -like 'inotify wd:*' }).Count
    }
    $count
}

function Start-LocalWriter {
    <#
    .SYNOPSIS
        Writes files into a local folder from another process, one every -IntervalMs, while a
        cmdlet under test blocks the pipeline. Returns the process; stop it with Stop-Process.
    #>
    param([Parameter(Mandatory)] [string] $Folder, [string] $Prefix = 'w', [int] $Count = 200, [int] $IntervalMs = 100)
    Start-LocalBash "for i in `$(seq -w 1 $Count); do echo x > '$Folder/$Prefix'`$i.txt; sleep $($IntervalMs / 1000); done"
}

function Start-LocalBash {
    <# Runs a bash script in the background (its words passed as they are, unlike Start-Process); returns the process. #>
    param([Parameter(Mandatory)] [string] $Script)
    $start = [System.Diagnostics.ProcessStartInfo]::new('bash')
    $start.ArgumentList.Add('-c')
    $start.ArgumentList.Add($Script)
    $start.UseShellExecute = $false
    [System.Diagnostics.Process]::Start($start)
}

function Start-TestTlsGateway {
    <#
    .SYNOPSIS
        nginx on 127.0.0.1 as a TLS gateway in front of an agent's HTTP/1.1 port, as a sandbox's
        domain is reached, with a self-signed certificate for 127.0.0.1 made by openssl. Returns
        Domain ('https://127.0.0.1:PORT'), Process and Folder, or $null (with the reason printed)
        when nginx or openssl is missing.
    #>
    param([Parameter(Mandatory)] [string] $Upstream)
    foreach ($tool in 'nginx', 'openssl') {
        if (-not (Get-Command $tool -CommandType Application -ErrorAction SilentlyContinue)) {
            Write-Host "No $tool here (apt-get install -y nginx-light openssl): TLS gateway tests are skipped."
            return $null
        }
    }
    $folder = Join-Path ([System.IO.Path]::GetTempPath()) ('sbx-tls-' + [guid]::NewGuid().ToString('N').Substring(0, 10))
    New-Item -ItemType Directory -Path $folder | Out-Null
    & openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj '/CN=127.0.0.1' -addext 'subjectAltName=IP:127.0.0.1' `
        -keyout (Join-Path $folder 'key.pem') -out (Join-Path $folder 'cert.pem') 2>&1 | Out-Null
    if ($LASTEXITCODE -ne 0) { throw 'openssl could not make the test certificate.' }
    $port = Get-ClosedLoopbackPort
    @"
worker_processes 1;
pid $folder/nginx.pid;
error_log $folder/error.log;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $folder/body;
    proxy_temp_path $folder/proxy;
    fastcgi_temp_path $folder/fastcgi;
    uwsgi_temp_path $folder/uwsgi;
    scgi_temp_path $folder/scgi;
    server {
        listen 127.0.0.1:$port ssl;
        ssl_certificate $folder/cert.pem;
        ssl_certificate_key $folder/key.pem;
        client_max_body_size 0;
        location / {
            proxy_pass http://$Upstream;
            proxy_http_version 1.1;
            proxy_buffering off;
            proxy_request_buffering off;
            proxy_read_timeout 3600s;
        }
    }
}
"@ | Set-Content -LiteralPath (Join-Path $folder 'nginx.conf')
    $start = [System.Diagnostics.ProcessStartInfo]::new('nginx')
    foreach ($argument in '-p', $folder, '-c', (Join-Path $folder 'nginx.conf'), '-g', 'daemon off;') { $start.ArgumentList.Add($argument) }
    $start.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($start)
    $deadline = [DateTime]::UtcNow.AddSeconds(20)
    while ($true) {
        $client = [System.Net.Sockets.TcpClient]::new()
        try { $client.Connect('127.0.0.1', $port); break } catch { } finally { $client.Dispose() }
        if ($process.HasExited -or [DateTime]::UtcNow -gt $deadline) {
            throw "nginx did not start: $(Get-Content -LiteralPath (Join-Path $folder 'error.log') -Raw -ErrorAction SilentlyContinue)"
        }
        Start-Sleep -Milliseconds 100
    }
    [pscustomobject]@{ Domain = "https://127.0.0.1:$port"; Process = $process; Folder = $folder }
}

function Stop-TestTlsGateway {
    param($Gateway)
    if ($null -eq $Gateway) { return }
    if (-not $Gateway.Process.HasExited) {
        # SIGTERM, not SIGKILL: the master then stops its worker too.
        & kill -TERM $Gateway.Process.Id
        if (-not $Gateway.Process.WaitForExit(10000)) {
            Stop-Process -Id $Gateway.Process.Id -Force -ErrorAction SilentlyContinue
        }
    }
    Remove-Item -LiteralPath $Gateway.Folder -Recurse -Force -ErrorAction SilentlyContinue
}

function New-AgentTestFolder {
    <# A new, uniquely named folder in the agent's home, for one test: tests never see each other's files. #>
    param([Parameter(Mandatory)] [string] $Name, $Agent = $agent)
    $path = Join-Path $Agent.Home ($Name + '-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory -Path $path | Out-Null
    $path
}

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
        [string[]] $ArgumentList = @(),
        # A command the agent runs under (e.g. unshare and a script that mounts folders): the agent's
        # command line follows as its arguments, and SBX_TEST_AGENT_HOME names the fresh home folder.
        [string[]] $Launcher = @(),
        # The home the agent is told, when the launcher shows the fresh folder elsewhere (e.g. /home/user).
        [string] $HomeAs
    )
    $agentHome = Join-Path ([System.IO.Path]::GetTempPath()) ('sbx-test-' + [guid]::NewGuid().ToString('N').Substring(0, 12))
    New-Item -ItemType Directory -Path $agentHome | Out-Null

    $command = @($Launcher) + @('dotnet', $AgentPath, '--port', '0', '--http2-port', '0', '--token', $Token, '--home', $(if ($HomeAs) { $HomeAs } else { $agentHome })) + $ArgumentList
    $start = [System.Diagnostics.ProcessStartInfo]::new($command[0])
    foreach ($argument in $command | Select-Object -Skip 1) {
        $start.ArgumentList.Add($argument)
    }
    $start.Environment['SBX_TEST_AGENT_HOME'] = $agentHome
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

function Stop-TestServer {
    <# Kills a server a test started (the agent, tinyproxy) and removes the folder it worked in. #>
    param([Parameter(Mandatory)] [System.Diagnostics.Process] $Process, [Parameter(Mandatory)] [string] $Folder)
    if (-not $Process.HasExited) {
        Stop-Process -Id $Process.Id -Force -ErrorAction SilentlyContinue
        $null = $Process.WaitForExit(10000)
    }
    Remove-Item -LiteralPath $Folder -Recurse -Force -ErrorAction SilentlyContinue
}

function Stop-TestAgent {
    param([Parameter(Mandatory)] $Agent)
    if ($null -eq $Agent) { return }
    Stop-TestServer -Process $Agent.Process -Folder $Agent.Home
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

function ConvertTo-ComparableOutput {
    <#
    .SYNOPSIS
        A cmdlet's output and errors (2>&1) as strings in one order, to compare with what is expected:
        an error as 'ERROR <its id> <its target>', a sandbox item as its path, anything else as it is.
    #>
    param([object[]] $Output)
    foreach ($o in $Output) {
        if ($o -is [System.Management.Automation.ErrorRecord]) { 'ERROR ' + ($o.FullyQualifiedErrorId -split ',')[0] + ' ' + $o.TargetObject }
        elseif ($o -is [ScaleBox.Sandbox.Client.Files.SandboxItem]) { $o.Path }
        else { $o }
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

function Start-ChildPwsh {
    <#
    .SYNOPSIS
        Starts another pwsh (no profile, non-interactive) with $ArgumentList after those switches
        (e.g. '-File', $path, ... or '-Command', $text) and $Environment set for it alone ($null
        removes a variable). Returns Process, Output and Error (the last two read to their end
        as the child writes, so it never blocks on a full pipe). Wait with Wait-ChildPwsh.
    #>
    param([Parameter(Mandatory)][string[]] $ArgumentList, [hashtable] $Environment = @{})
    $pwsh = @(Get-PwshCommand)
    $start = [System.Diagnostics.ProcessStartInfo]::new($pwsh[0])
    foreach ($argument in @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive') + $ArgumentList) {
        $start.ArgumentList.Add([string] $argument)
    }
    foreach ($key in $Environment.Keys) {
        if ($null -eq $Environment[$key]) { $null = $start.Environment.Remove($key) } else { $start.Environment[$key] = [string] $Environment[$key] }
    }
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $start.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($start)
    [pscustomobject]@{ Process = $process; Output = $process.StandardOutput.ReadToEndAsync(); Error = $process.StandardError.ReadToEndAsync() }
}

function Wait-ChildPwsh {
    <#
    .SYNOPSIS
        Waits for a child of Start-ChildPwsh and returns its standard output. Kills it and throws
        when it outlives $TimeoutSec; throws with its error and output when it exits non-zero.
    #>
    param([Parameter(Mandatory)] $Child, [int] $TimeoutSec = 300)
    try {
        if (-not $Child.Process.WaitForExit($TimeoutSec * 1000)) {
            throw "The child pwsh did not finish within $TimeoutSec s."
        }
        $Child.Process.WaitForExit() # and its output is read to the end
        if ($Child.Process.ExitCode -ne 0) {
            throw "The child pwsh failed (exit code $($Child.Process.ExitCode)):`n$($Child.Error.Result)`n$($Child.Output.Result)"
        }
        $Child.Output.Result
    }
    finally {
        if (-not $Child.Process.HasExited) { $Child.Process.Kill($true) }
    }
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
    $childEnvironment = $Environment.Clone()
    $childEnvironment['SBX_FRESH_ARGUMENTS'] = $argumentsJson
    try {
        $output = Wait-ChildPwsh (Start-ChildPwsh -ArgumentList '-File', $scriptFile -Environment $childEnvironment) -TimeoutSec $TimeoutSec
    }
    finally {
        Remove-Item -LiteralPath $scriptFile -ErrorAction SilentlyContinue
    }
    $json = @($output -split "`r?`n" | Where-Object { $_ -match '^\[' }) | Select-Object -Last 1
    if (-not $json) { throw "The child pwsh wrote no result:`n$output" }
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
        see that a watch has ended on the agent. Linux only. Reads only the inotify descriptors'
        fdinfo, so a count takes milliseconds: a slow count would poll so sparsely that two watches
        ending a moment apart look like one.
    #>
    param([Parameter(Mandatory)] [int] $ProcessId)
    $count = 0
    foreach ($fd in [System.IO.Directory]::EnumerateFileSystemEntries("/proc/$ProcessId/fd")) {
        try {
            if ([System.IO.FileInfo]::new($fd).LinkTarget -ne 'anon_inode:inotify') { continue }
            $info = [System.IO.File]::ReadAllLines("/proc/$ProcessId/fdinfo/" + [System.IO.Path]::GetFileName($fd))
        } catch [System.IO.IOException], [System.UnauthorizedAccessException] {
            continue # closed while counting
        }
        $count += @($info | Where-Object { $_.StartsWith('inotify wd:') }).Count
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

function Open-ExclusiveFile {
    <#
    .SYNOPSIS
        Opens a local file so that no other open of it succeeds until the handle is disposed: .NET on
        Unix enforces FileShare.None against every other open of the file, in this process too. It
        stands in for a file that cannot be read, since the tests run as root, which reads any file.
    #>
    param([Parameter(Mandatory)] [string] $Path)
    [System.IO.File]::Open($Path, 'Open', 'Read', 'None')
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
    $scheme = if ($Mode -eq 'Http2Cleartext') { 'http' } else { 'https' }
    [pscustomobject]@{ Domain = "${scheme}://127.0.0.1:$port"; Process = $process; Folder = $folder }
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

function Test-NetworkTools {
    <# True when every named program is installed; otherwise prints which is missing (for a skip) and returns false. #>
    param([Parameter(Mandatory)] [string[]] $Name)
    foreach ($tool in $Name) {
        if (-not (Get-Command $tool -CommandType Application -ErrorAction SilentlyContinue)) {
            Write-Host "No $tool here (apt-get install -y nginx-light tinyproxy openssl): the tests that need it are skipped."
            return $false
        }
    }
    $true
}

function Wait-TestPort {
    <# Waits until something accepts connections on 127.0.0.1:$Port, or throws with $Describe's output when $Process ends first. #>
    param([Parameter(Mandatory)] [int] $Port, [Parameter(Mandatory)] $Process, [Parameter(Mandatory)] [scriptblock] $Describe)
    $deadline = [DateTime]::UtcNow.AddSeconds(20)
    while ($true) {
        $client = [System.Net.Sockets.TcpClient]::new()
        try { $client.Connect('127.0.0.1', $Port); return } catch { } finally { $client.Dispose() }
        if ($Process.HasExited -or [DateTime]::UtcNow -gt $deadline) { throw (& $Describe) }
        Start-Sleep -Milliseconds 100
    }
}

function Start-TestProxy {
    <#
    .SYNOPSIS
        tinyproxy on 127.0.0.1 with a free port, in the foreground, logging every request line.
        With -Credential it asks for that user and password (BasicAuth). Returns Uri, Process,
        Folder and Log; read what it saw with Get-TestProxyRequest.
    #>
    param([pscredential] $Credential)
    $folder = Join-Path ([System.IO.Path]::GetTempPath()) ('sbx-proxy-' + [guid]::NewGuid().ToString('N').Substring(0, 10))
    New-Item -ItemType Directory -Path $folder | Out-Null
    $port = Get-ClosedLoopbackPort
    $log = Join-Path $folder 'tinyproxy.log'
    # No ConnectPort line: CONNECT is allowed to any port, as gRPC over cleartext HTTP/2 needs.
    $config = @(
        "Port $port", 'Listen 127.0.0.1', 'Timeout 600', 'MaxClients 100', 'LogLevel Connect', "LogFile `"$log`"",
        'DisableViaHeader Yes', "PidFile `"$folder/tinyproxy.pid`""
    )
    if ($Credential) {
        $config += "BasicAuth $($Credential.UserName) $($Credential.GetNetworkCredential().Password)"
    }
    $config | Set-Content -LiteralPath (Join-Path $folder 'tinyproxy.conf')
    $start = [System.Diagnostics.ProcessStartInfo]::new('tinyproxy')
    foreach ($argument in '-d', '-c', (Join-Path $folder 'tinyproxy.conf')) { $start.ArgumentList.Add($argument) }
    $start.UseShellExecute = $false
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $process = [System.Diagnostics.Process]::Start($start)
    $null = $process.StandardOutput.ReadToEndAsync()
    $null = $process.StandardError.ReadToEndAsync()
    Wait-TestPort -Port $port -Process $process -Describe { "tinyproxy did not start: $(Get-Content -LiteralPath $log -Raw -ErrorAction SilentlyContinue)" }
    [pscustomobject]@{ Uri = [uri] "http://127.0.0.1:$port"; Port = $port; Process = $process; Folder = $folder; Log = $log }
}

function Get-TestProxyRequest {
    <# The request lines tinyproxy has seen, e.g. 'POST http://127.0.0.1:123/sandboxagent.Filesystem/Stat HTTP/1.1' or 'CONNECT 127.0.0.1:456 HTTP/1.1'. #>
    param([Parameter(Mandatory)] $Proxy)
    foreach ($line in [System.IO.File]::ReadAllLines($Proxy.Log)) {
        if ($line -match 'Request \(file descriptor \d+\): (.*)$') { $Matches[1] }
    }
}

function Stop-TestProxy {
    param($Proxy)
    if ($null -eq $Proxy) { return }
    Stop-TestServer -Process $Proxy.Process -Folder $Proxy.Folder
}

function New-TestCertificateAuthority {
    <#
    .SYNOPSIS
        A certificate authority made by openssl for one test run, with a server certificate for
        127.0.0.1 and a client certificate, both issued by it. Returns the folder and the PEM paths.
    #>
    $folder = Join-Path ([System.IO.Path]::GetTempPath()) ('sbx-ca-' + [guid]::NewGuid().ToString('N').Substring(0, 10))
    New-Item -ItemType Directory -Path $folder | Out-Null
    $ca = @{ Folder = $folder }
    foreach ($name in 'Ca', 'Server', 'Client') {
        $ca["${name}Certificate"] = Join-Path $folder "$($name.ToLowerInvariant()).pem"
        $ca["${name}Key"] = Join-Path $folder "$($name.ToLowerInvariant()).key"
    }
    $output = & openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=ScaleBox Sandbox Test CA' `
        -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign' `
        -keyout $ca.CaKey -out $ca.CaCertificate 2>&1
    if ($LASTEXITCODE -ne 0) { throw "openssl could not make the test CA: $output" }
    foreach ($leaf in @(
            @{ Name = 'Server'; Subject = '/CN=127.0.0.1'; Extensions = "subjectAltName=IP:127.0.0.1`nextendedKeyUsage=serverAuth" }
            @{ Name = 'Client'; Subject = '/CN=sbx-test-client'; Extensions = 'extendedKeyUsage=clientAuth' }
        )) {
        $request = Join-Path $folder "$($leaf.Name).csr"
        $extensions = Join-Path $folder "$($leaf.Name).ext"
        Set-Content -LiteralPath $extensions -Value $leaf.Extensions
        $output = & openssl req -newkey rsa:2048 -nodes -subj $leaf.Subject -keyout $ca["$($leaf.Name)Key"] -out $request 2>&1
        if ($LASTEXITCODE -ne 0) { throw "openssl could not make the $($leaf.Name) key: $output" }
        $output = & openssl x509 -req -in $request -CA $ca.CaCertificate -CAkey $ca.CaKey -CAcreateserial -days 2 `
            -extfile $extensions -out $ca["$($leaf.Name)Certificate"] 2>&1
        if ($LASTEXITCODE -ne 0) { throw "openssl could not issue the $($leaf.Name) certificate: $output" }
    }
    [pscustomobject] $ca
}

function Start-TestGateway {
    <#
    .SYNOPSIS
        nginx on 127.0.0.1 as a TLS gateway with a certificate issued by the test CA, in one of three
        modes: Http1 proxies HTTP/1.1 to the agent's HTTP/1.1 port with buffering off; Http2 takes
        HTTP/2 (ALPN h2) and HTTP/1.1 and passes both on with grpc_pass to the agent's HTTP/2 port;
        Http2Only does the same but answers every HTTP/1.1 request 505, as a gateway set up for
        gRPC alone might; Http2Cleartext takes only cleartext HTTP/2 with prior knowledge (no TLS;
        to an HTTP/1.1 request it answers in HTTP/2 frames) and passes it on with grpc_pass. With
        -RequireClientCertificate it wants a client certificate issued by the same CA. Its access
        log records the protocol, method, path, status and client certificate of each request
        (Get-TestGatewayRequest).
    #>
    param(
        [Parameter(Mandatory)] $Agent,
        [Parameter(Mandatory)] $Authority,
        [ValidateSet('Http1', 'Http2', 'Http2Only', 'Http2Cleartext')] [string] $Mode = 'Http1',
        [switch] $RequireClientCertificate
    )
    $folder = Join-Path ([System.IO.Path]::GetTempPath()) ('sbx-gw-' + [guid]::NewGuid().ToString('N').Substring(0, 10))
    New-Item -ItemType Directory -Path $folder | Out-Null
    $port = Get-ClosedLoopbackPort
    $clientCheck = if ($RequireClientCertificate) { "ssl_client_certificate $($Authority.CaCertificate); ssl_verify_client on;" } else { '' }
    $location = if ($Mode -eq 'Http1') {
        "proxy_pass http://$($Agent.Domain); proxy_http_version 1.1; proxy_buffering off; proxy_request_buffering off; proxy_read_timeout 3600s; proxy_send_timeout 3600s;"
    }
    else {
        "grpc_pass grpc://$($Agent.Http2Domain); grpc_buffer_size 64k; grpc_read_timeout 3600s; grpc_send_timeout 3600s;"
    }
    if ($Mode -eq 'Http2Only') {
        $location = 'if ($server_protocol != "HTTP/2.0") { return 505; } ' + $location
    }
    $listen = switch ($Mode) {
        'Http1' { "127.0.0.1:$port ssl" }
        'Http2Cleartext' { "127.0.0.1:$port http2" }
        default { "127.0.0.1:$port ssl http2" }
    }
    $tls = if ($Mode -eq 'Http2Cleartext') { '' } else { "ssl_certificate $($Authority.ServerCertificate); ssl_certificate_key $($Authority.ServerKey);" }
    # At info, nginx logs each connection that does not open with the HTTP/2 preface (an HTTP/1.1 request).
    $errorLevel = if ($Mode -eq 'Http2Cleartext') { ' info' } else { '' }
    @"
worker_processes 1;
pid $folder/nginx.pid;
error_log $folder/error.log$errorLevel;
events { worker_connections 256; }
http {
    log_format sbx '`$server_protocol `$request_method `$uri `$status [`$ssl_client_s_dn]';
    access_log $folder/access.log sbx;
    client_body_temp_path $folder/body;
    proxy_temp_path $folder/proxy;
    fastcgi_temp_path $folder/fastcgi;
    uwsgi_temp_path $folder/uwsgi;
    scgi_temp_path $folder/scgi;
    server {
        listen $listen;
        $tls
        $clientCheck
        client_max_body_size 0;
        location / { $location }
    }
}
"@ | Set-Content -LiteralPath (Join-Path $folder 'nginx.conf')
    $start = [System.Diagnostics.ProcessStartInfo]::new('nginx')
    foreach ($argument in '-p', $folder, '-c', (Join-Path $folder 'nginx.conf'), '-g', 'daemon off;') { $start.ArgumentList.Add($argument) }
    $start.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($start)
    Wait-TestPort -Port $port -Process $process -Describe { "nginx did not start: $(Get-Content -LiteralPath (Join-Path $folder 'error.log') -Raw -ErrorAction SilentlyContinue)" }
    $scheme = if ($Mode -eq 'Http2Cleartext') { 'http' } else { 'https' }
    [pscustomobject]@{ Domain = "${scheme}://127.0.0.1:$port"; Process = $process; Folder = $folder; AccessLog = Join-Path $folder 'access.log'; ErrorLog = Join-Path $folder 'error.log' }
}

function Get-TestGatewayRequest {
    <# The gateway's access log so far, one object per request: Protocol, Method, Path, Status, ClientCertificate. #>
    param([Parameter(Mandatory)] $Gateway)
    if (-not (Test-Path -LiteralPath $Gateway.AccessLog)) { return }
    foreach ($line in [System.IO.File]::ReadAllLines($Gateway.AccessLog)) {
        if ($line -match '^(\S+) (\S+) (\S+) (\d+) \[(.*)\]$') {
            [pscustomobject]@{ Protocol = $Matches[1]; Method = $Matches[2]; Path = $Matches[3]; Status = [int] $Matches[4]; ClientCertificate = $Matches[5] }
        }
    }
}

function New-NumberedFile {
    <# Makes $Folder (a local path) with files f1.txt to f<Count>.txt, each holding its number; returns their paths. #>
    param([Parameter(Mandatory)] [string] $Folder, [int] $Count = 64)
    New-Item -ItemType Directory -Path $Folder -Force | Out-Null
    foreach ($i in 1..$Count) {
        $file = Join-Path $Folder "f$i.txt"
        Set-Content -LiteralPath $file -Value $i
        $file
    }
}

function Start-TestCuttingProxy {
    <#
    .SYNOPSIS
        TEST-ONLY FAULT INJECTION: the xunit tests' proxy on 127.0.0.1 in front of -Port
        (tests/ScaleBox.Sandbox.Tests/Infrastructure/FaultInjection/ConnectionCuttingProxy.cs,
        compiled once per process), which cuts or stalls chosen connections. Connect to its Port;
        DisposeAsync() stops it.
    #>
    param([Parameter(Mandatory)] [int] $Port)
    $type = 'ScaleBox.Sandbox.Tests.Infrastructure.FaultInjection.ConnectionCuttingProxy'
    if (-not ($type -as [type])) {
        Add-Type -Path (Join-Path $PSScriptRoot '../ScaleBox.Sandbox.Tests/Infrastructure/FaultInjection/ConnectionCuttingProxy.cs')
    }
    ($type -as [type])::new($Port)
}

function Start-TestDelayingRelay {
    <#
    .SYNOPSIS
        A relay on 127.0.0.1 in front of -Port that holds everything it passes on for half of
        -RoundTripMs each way (bench/DelayingRelay.cs, compiled once per process): a client's
        requests sent one right after another are then in flight together however busy the
        machine, where on bare loopback an answer may come back before the next request leaves.
        Connect to its Port; Dispose() stops it.
    #>
    param([Parameter(Mandatory)] [int] $Port, [double] $RoundTripMs = 20)
    if (-not ('DelayingRelay' -as [type])) {
        Add-Type -Path (Join-Path $PSScriptRoot '../../bench/DelayingRelay.cs')
    }
    [DelayingRelay]::new($Port, $RoundTripMs)
}

function Measure-SessionConnection {
    <#
    .SYNOPSIS
        Runs $Script once for each of -Variant, each time with a new session, and returns how many
        connections each session then held (its pool: what its requests needed at once). The script
        gets the session, the agent and the variant; what it outputs is dropped. The session reaches
        the agent through a relay that adds a round trip (Start-TestDelayingRelay), so that requests
        sent together are counted together even on a loaded machine.
    .PARAMETER Agent
        The agent to count against, which nothing else of this process may be talking to; by
        default one of its own, started and stopped here.
    #>
    param([Parameter(Mandatory)] [object[]] $Variant, [Parameter(Mandatory)] [scriptblock] $Script, [object] $Agent)
    # Of its own: the counted session's connections are then the only ones to it.
    $counting = if ($Agent) { $Agent } else { Start-TestAgent }
    $relay = Start-TestDelayingRelay -Port ([int]($counting.Domain -split ':')[1])
    try {
        foreach ($each in $Variant) {
            $counted = New-SbxSession -Domain "127.0.0.1:$($relay.Port)" -AccessToken $counting.Token -Name connections-counted
            try {
                $null = & $Script $counted $counting $each
                Get-DirectConnectionCount -Port $relay.Port
            }
            finally {
                $counted | Remove-SbxSession
            }
        }
    }
    finally {
        $relay.Dispose()
        if (-not $Agent) { Stop-TestAgent $counting }
    }
}

function Measure-QuietAndToldConnection {
    <# Measure-SessionConnection without -Verbose, then with it: the script's third argument says which. #>
    param([Parameter(Mandatory)] [scriptblock] $Script)
    Measure-SessionConnection -Variant $false, $true -Script $Script
}

function Get-DirectConnectionCount {
    <# How many TCP connections this process holds to 127.0.0.1:$Port (ss), to see that a session's requests take another way. #>
    param([Parameter(Mandatory)] [int] $Port)
    @(& ss -Htnp state established "dst 127.0.0.1:$Port" | Where-Object { $_ -match "pid=$PID," }).Count
}

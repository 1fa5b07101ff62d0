# Sessions through real network parts in front of the local agent: tinyproxy as the forward proxy,
# nginx as a TLS gateway in both modes, with a certificate authority made by the test.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestAgent.ps1')
    $saved = @{}
    # The proxy of this process is the one each test names; the environment's is tested in a child process.
    foreach ($name in 'SANDBOX_DOMAIN', 'ENVD_ACCESS_TOKEN', 'HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'all_proxy', 'no_proxy') {
        $saved[$name] = [Environment]::GetEnvironmentVariable($name)
    }
    $agent = Start-TestAgent
    $modulePath = (Resolve-Path -LiteralPath (Join-Path $PSScriptRoot '../../out/ScaleBox.Sandbox')).ProviderPath
    Import-Module $modulePath -Force
    $haveProxy = Test-NetworkTools tinyproxy
    $haveGateway = Test-NetworkTools nginx, openssl

    $work = Join-Path ([System.IO.Path]::GetTempPath()) ('sbx-net-' + [guid]::NewGuid().ToString('N').Substring(0, 10))
    New-Item -ItemType Directory -Path $work | Out-Null
    # 100 MB of random bytes, made once and sent through every route.
    $big = Join-Path $work 'big.bin'
    & head -c 104857600 /dev/urandom > $big
    $bigSha = (Get-FileHash -LiteralPath $big -Algorithm SHA256).Hash

    $proxyCredential = [pscredential]::new('sbxuser', (ConvertTo-SecureString 'sbx-proxy-secret' -AsPlainText -Force))
    $wrongCredential = [pscredential]::new('sbxuser', (ConvertTo-SecureString 'not-the-secret' -AsPlainText -Force))

    function Invoke-RoundTrip {
        <#
        Through $Session: an RPC, a server stream, stdin to a process, and the 100 MB file into the
        sandbox and back, each checked; the SHA-256 of the copy in the sandbox and of the one back
        are the original's.
        #>
        param([Parameter(Mandatory)] $Session, [Parameter(Mandatory)] [string] $Label)
        (Get-SbxItem -Path $agent.Home -Session $Session).Type | Should -Be 'Directory'

        $lines = Start-SbxProcess -Command 'for i in 1 2 3; do echo "line $i"; sleep 0.2; done' -Session $Session
        $lines | Should -Be @('line 1', 'line 2', 'line 3')

        $process = Start-SbxProcess -Command "head -n 1 > '$Label-stdin.txt'" -Background -Session $Session
        Send-SbxProcessInput -Pid $process.Pid -Value "typed through $Label`n" -Session $Session
        (Wait-SbxProcess -Pid $process.Pid -TimeoutSec 30 -Session $Session).ExitCode | Should -Be 0
        [System.IO.File]::ReadAllText((Join-Path $agent.Home "$Label-stdin.txt")) | Should -Be "typed through $Label`n"

        $remote = Join-Path $agent.Home "$Label.bin"
        $back = Join-Path $work "$Label-back"
        New-Item -ItemType Directory -Path $back -Force | Out-Null
        try {
            Copy-SbxItem -ToSandbox -Path $big -Destination "$Label.bin" -Session $Session
            (Get-FileHash -LiteralPath $remote -Algorithm SHA256).Hash | Should -Be $bigSha
            Copy-SbxItem -FromSandbox -Path "$Label.bin" -Destination $back -Session $Session
            (Get-FileHash -LiteralPath (Join-Path $back "$Label.bin") -Algorithm SHA256).Hash | Should -Be $bigSha
        }
        finally {
            Remove-Item -LiteralPath $remote, $back -Recurse -Force -ErrorAction SilentlyContinue
        }
    }

    function Invoke-ChildPwsh {
        <# Runs $Script in a fresh PowerShell (.NET reads proxy and trust settings once, at start) with $Environment set; returns its output lines. #>
        param([Parameter(Mandatory)] [string] $Script, [hashtable] $Environment = @{})
        $file = Join-Path $work ("child-" + [guid]::NewGuid().ToString('N') + '.ps1')
        Set-Content -LiteralPath $file -Value $Script
        # None of this process's proxy and trust settings: only what the test gives.
        $childEnvironment = @{ SBX_TEST_MODULE = $modulePath; SBX_TEST_TOKEN = $agent.Token }
        foreach ($name in 'HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'all_proxy', 'no_proxy', 'SSL_CERT_FILE', 'SSL_CERT_DIR') {
            $childEnvironment[$name] = $null
        }
        foreach ($entry in $Environment.GetEnumerator()) { $childEnvironment[$entry.Key] = $entry.Value }
        $output = Wait-ChildPwsh (Start-ChildPwsh -ArgumentList '-File', $file -Environment $childEnvironment) -TimeoutSec 120
        @($output -split "`r?`n" | Where-Object { $_ -ne '' })
    }
}

AfterAll {
    Get-SbxSession | Remove-SbxSession
    if ($agent) { Stop-TestAgent $agent }
    if ($work) { Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue }
    foreach ($entry in $saved.GetEnumerator()) { [Environment]::SetEnvironmentVariable($entry.Key, $entry.Value) }
}

Describe 'Sessions through a forward proxy (tinyproxy)' {
    BeforeAll {
        if ($haveProxy) {
            $proxy = Start-TestProxy
            $authProxy = Start-TestProxy -Credential $proxyCredential
        }
    }

    AfterAll {
        Get-SbxSession | Remove-SbxSession
        Stop-TestProxy $proxy
        Stop-TestProxy $authProxy
    }

    It 'carries every request of a <Protocol> session with -Proxy: RPCs, a stream, stdin and a 100 MB transfer' -ForEach @(
        @{ Protocol = 'GrpcWeb'; Port = 'Domain' }
        @{ Protocol = 'Grpc'; Port = 'Http2Domain' }
        @{ Protocol = 'Connect'; Port = 'Domain' }
        @{ Protocol = 'ConnectJson'; Port = 'Domain' }
    ) {
        if (-not $haveProxy) { Set-ItResult -Skipped -Because 'tinyproxy is not installed'; return }
        $domain = $agent.$Port
        $seen = @(Get-TestProxyRequest $proxy).Count
        $s = New-SbxSession -Domain $domain -AccessToken $agent.Token -Protocol $Protocol -Proxy $proxy.Uri -Name "proxied-$Protocol"
        $s.Proxy | Should -Be $proxy.Uri
        Invoke-RoundTrip -Session $s -Label "proxy-$Protocol"
        Get-DirectConnectionCount -Port ([uri] "http://$domain").Port | Should -Be 0 -Because 'no request of the session goes straight to the agent'
        $requests = @(Get-TestProxyRequest $proxy | Select-Object -Skip $seen)
        if ($Protocol -ne 'Grpc') {
            # Plain http is forwarded request by request: the proxy sees each one.
            foreach ($path in '/sandboxagent.Filesystem/Stat', '/sandboxagent.Process/Start', '/sandboxagent.Process/SendInput', '/upload', '/download/') {
                @($requests | Where-Object { $_ -like "* http://$domain$path*" }).Count | Should -BeGreaterThan 0 -Because "the proxy forwarded $path"
            }
        }
        else {
            # Cleartext HTTP/2 goes through a CONNECT tunnel, the only way it passes a proxy.
            $requests | Should -Contain "CONNECT $domain HTTP/1.1"
            $requests | Where-Object { $_ -notlike 'CONNECT *' } | Should -BeNullOrEmpty
        }
    }

    It 'sees a small file copied in as two round trips (the lookups with the post, then the rename) and out as one (the lookup with the download), and the plan of several asks each thing once' {
        # Each request is a round trip on a real network: the copy of one file makes no more than it needs.
        if (-not $haveProxy) { Set-ItResult -Skipped -Because 'tinyproxy is not installed'; return }
        $s = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token -Protocol GrpcWeb -Proxy $proxy.Uri -Name 'proxied-counted'
        $file = Join-Path $work 'counted.txt'
        Set-Content -LiteralPath $file -Value 'counted'
        New-Item -ItemType Directory -Path (Join-Path $agent.Home 'counted-folder') -Force | Out-Null
        function Get-CopyRequest([scriptblock] $Copy) {
            $seen = @(Get-TestProxyRequest $proxy).Count
            & $Copy
            foreach ($line in @(Get-TestProxyRequest $proxy | Select-Object -Skip $seen)) {
                ($line -split ' ')[1] -replace "^http://$([regex]::Escape($agent.Domain))" -replace '^/download/.*', '/download'
            }
        }

        # One item to a name that may be a folder: the name it would take inside is asked for alongside
        # (two Stats at once), and let go when the destination is no folder. A small file to a name
        # that looks like a file's is posted to its staging name alongside too (either may come
        # first), then renamed onto it; to a name that looks like a folder's, posted once the plan is made.
        $requests = Get-CopyRequest { Copy-SbxItem -ToSandbox -LiteralPath $file -Destination counted-up.txt -Session $s }
        $requests[0..2] | Sort-Object | Should -Be @('/sandboxagent.Filesystem/Stat', '/sandboxagent.Filesystem/Stat', '/upload')
        $requests[3..($requests.Count - 1)] | Should -Be @('/sandboxagent.Filesystem/Move')
        # Into an existing folder written relative ("folder/"), the plan names the file from the folder's
        # path as found, the post from the path as written: the same file once the home is known, so
        # the post is kept, not let go (a Remove) and sent again.
        $slashed = Join-Path $work 'counted-slashed.txt'
        Set-Content -LiteralPath $slashed -Value 'slashed'
        $requests = Get-CopyRequest { Copy-SbxItem -ToSandbox -LiteralPath $slashed -Destination counted-folder/ -Session $s }
        $requests[0..2] | Sort-Object | Should -Be @('/sandboxagent.Filesystem/Stat', '/sandboxagent.Filesystem/Stat', '/upload')
        $requests[3..($requests.Count - 1)] | Should -Be @('/sandboxagent.Filesystem/Move')
        Get-CopyRequest { Copy-SbxItem -ToSandbox -LiteralPath $file -Destination counted-folder -Session $s } |
            Should -Be @('/sandboxagent.Filesystem/Stat', '/sandboxagent.Filesystem/Stat', '/upload', '/sandboxagent.Filesystem/Move')
        # The folder is asked for once, each file's name in it once, alongside it (a folder not there
        # finds nothing at no round trip's cost); nothing is asked again before writing.
        $second = Join-Path $work 'counted-second.txt'
        Set-Content -LiteralPath $second -Value 'second'
        # (The two files' copies run side by side: their requests are counted, not ordered.)
        Get-CopyRequest { Copy-SbxItem -ToSandbox -LiteralPath $file, $second -Destination counted-folder -Force -Session $s } | Sort-Object |
            Should -Be @('/sandboxagent.Filesystem/Move', '/sandboxagent.Filesystem/Move', '/sandboxagent.Filesystem/Stat',
                '/sandboxagent.Filesystem/Stat', '/sandboxagent.Filesystem/Stat', '/upload', '/upload')
        Get-CopyRequest { Copy-SbxItem -ToSandbox -LiteralPath $file, $second -Destination counted-new -Session $s } | Sort-Object |
            Should -Be @('/sandboxagent.Filesystem/Move', '/sandboxagent.Filesystem/Move', '/sandboxagent.Filesystem/Stat',
                '/sandboxagent.Filesystem/Stat', '/sandboxagent.Filesystem/Stat', '/upload', '/upload')
        # Out: the lookup and the download, side by side (either may come first) for a relative path too,
        # since the lookups above showed the session its home.
        Get-CopyRequest { Copy-SbxItem -FromSandbox -LiteralPath counted-up.txt -Destination (Join-Path $work 'counted-back.txt') -Session $s } |
            Sort-Object | Should -Be @('/download', '/sandboxagent.Filesystem/Stat')
        Get-CopyRequest { Copy-SbxItem -FromSandbox -LiteralPath (Join-Path $agent.Home 'counted-up.txt') -Destination (Join-Path $work 'counted-back-absolute.txt') -Session $s } |
            Sort-Object | Should -Be @('/download', '/sandboxagent.Filesystem/Stat')
        # -PassThru takes the item from the agent's answer to the rename, as New-SbxItem does.
        $returned = @{}
        $requests = Get-CopyRequest { $returned.Item = Copy-SbxItem -ToSandbox -LiteralPath $file -Destination counted-passthru.txt -PassThru -Session $s }
        $requests[0..2] | Sort-Object | Should -Be @('/sandboxagent.Filesystem/Stat', '/sandboxagent.Filesystem/Stat', '/upload')
        $requests[3..($requests.Count - 1)] | Should -Be @('/sandboxagent.Filesystem/Move')
        $returned.Item.Path | Should -Be (Join-Path $agent.Home 'counted-passthru.txt')
        $returned.Item.Length | Should -Be (Get-Item -LiteralPath $file).Length
        # Set-SbxContent -PassThru outputs the file as the rename's answer gave it, not asked for again.
        $requests = Get-CopyRequest { $returned.Item = Set-SbxContent -Path counted-folder/set.txt -Value 'set' -PassThru -Session $s }
        $requests | Should -Be @('/upload', '/sandboxagent.Filesystem/Move')
        $returned.Item.Path | Should -Be (Join-Path $agent.Home 'counted-folder/set.txt')
        $returned.Item.Length | Should -Be 4
        $returned.Item.LastWriteTime | Should -Not -BeNullOrEmpty
        # Without -Force the name is looked at alongside the upload (either may come first), then renamed onto.
        $requests = Get-CopyRequest { $null = New-SbxItem -ItemType File -Path counted-new-item.txt -Value 'new' -Session $s }
        $requests[0..1] | Sort-Object | Should -Be @('/sandboxagent.Filesystem/Stat', '/upload')
        $requests[2..($requests.Count - 1)] | Should -Be @('/sandboxagent.Filesystem/Move')
        # With -Force nothing is asked first: a directory in the way is looked at only once the rename fails.
        Get-CopyRequest { $null = New-SbxItem -ItemType File -Path counted-forced-item.txt -Value 'forced' -Force -Session $s } |
            Should -Be @('/upload', '/sandboxagent.Filesystem/Move')
        # The last lines of a file from the root: its lookup and a read of its end (a suffix range, which
        # needs no size) side by side, two requests in one round trip.
        Get-CopyRequest { $returned.Tail = Get-SbxContent -LiteralPath (Join-Path $agent.Home 'counted-folder/counted.txt') -Tail 1 -Session $s } |
            Sort-Object | Should -Be @('/download', '/sandboxagent.Filesystem/Stat')
        $returned.Tail | Should -Be 'counted'
        # Small text is appended inside the command, in one request; other bytes, or a missing folder,
        # go the upload's way (the missing folder after the one request that finds it missing).
        Get-CopyRequest { Add-SbxContent -Path counted-folder/appended.txt -Value 'one', 'two' -Session $s } |
            Should -Be @('/sandboxagent.Process/Start')
        Get-CopyRequest { Add-SbxContent -Path counted-folder/appended.txt -Value ([byte[]](0, 10)) -AsByteStream -Session $s } |
            Should -Be @('/upload', '/sandboxagent.Process/Start')
        Get-CopyRequest { Add-SbxContent -Path counted-new-folder/appended.txt -Value 'three' -Session $s } |
            Should -Be @('/sandboxagent.Process/Start', '/upload', '/sandboxagent.Process/Start')
        [System.IO.File]::ReadAllBytes((Join-Path $agent.Home 'counted-folder/appended.txt')) |
            Should -Be ([System.Text.Encoding]::UTF8.GetBytes("one`ntwo`n") + [byte[]](0, 10))
        Get-Content -LiteralPath (Join-Path $agent.Home 'counted-new-folder/appended.txt') | Should -Be 'three'
        # The agent's answers here are whole: the items output are theirs, not asked for again.
        Get-CopyRequest { $returned.Item = New-SbxItem -ItemType Directory -Path counted-new-dir -Session $s } |
            Should -Be @('/sandboxagent.Filesystem/MakeDir')
        $returned.Item.LastWriteTime | Should -Not -BeNullOrEmpty
        # The source, the destination and the name the source would take in it (were it a directory)
        # are looked up side by side, then it is moved.
        Get-CopyRequest { $returned.Item = Move-SbxItem -Path counted-new-item.txt -Destination counted-moved.txt -PassThru -Session $s } |
            Should -Be @('/sandboxagent.Filesystem/Stat', '/sandboxagent.Filesystem/Stat', '/sandboxagent.Filesystem/Stat', '/sandboxagent.Filesystem/Move')
        $returned.Item.Length | Should -Be 3
        # An item piped into a directory: its name there is looked at, then it is moved; with -Force a
        # file is moved at once (the rename itself refuses a directory in the way).
        New-Item -ItemType Directory -Path (Join-Path $agent.Home 'counted-into') -Force | Out-Null
        foreach ($name in 'piped.txt', 'piped-forced.txt') { Set-Content -LiteralPath (Join-Path $agent.Home $name) -Value $name }
        $piped = Get-SbxItem -LiteralPath piped.txt, piped-forced.txt -Session $s
        Get-CopyRequest { $piped[0] | Move-SbxItem -Destination counted-into -Session $s } |
            Should -Be @('/sandboxagent.Filesystem/Stat', '/sandboxagent.Filesystem/Stat', '/sandboxagent.Filesystem/Move')
        Get-CopyRequest { $piped[1] | Move-SbxItem -Destination counted-into -Force -Session $s } |
            Should -Be @('/sandboxagent.Filesystem/Stat', '/sandboxagent.Filesystem/Move')
        # A tree sent packed is listed once in place for its -PassThru items, not asked for item by item
        # (nor before: the plan's lookup found nothing at the destination; the listing of the name the
        # tree would take inside it, were it a folder, went alongside and found nothing).
        $tree = Join-Path $work 'counted-tree'
        foreach ($i in 1..40) { New-Item -ItemType File -Path (Join-Path $tree "sub $($i % 4)/f$i.txt") -Value "$i" -Force | Out-Null }
        $returned = @{}
        $requests = Get-CopyRequest { $returned.Items = Copy-SbxItem -ToSandbox -LiteralPath $tree -Destination counted-tree -Recurse -Packing Always -PassThru -Session $s }
        $returned.Items | Should -HaveCount 44
        @($requests | Where-Object { $_ -eq '/sandboxagent.Filesystem/Stat' }).Count | Should -BeLessThan 5
        @($requests | Where-Object { $_ -eq '/sandboxagent.Filesystem/ListDir' }).Count | Should -Be 2
        # A tree copied file by file to a new name: the plan's lookup found nothing there (nor, alongside,
        # the name inside it, were it a folder, nor its listing), so the copy neither looks nor lists
        # again; the tree's folders are made, its files posted and renamed.
        $requests = Get-CopyRequest { Copy-SbxItem -ToSandbox -LiteralPath $tree -Destination counted-new-tree -Recurse -Packing Never -Session $s }
        @($requests | Where-Object { $_ -eq '/sandboxagent.Filesystem/Stat' }).Count | Should -Be 2
        @($requests | Where-Object { $_ -eq '/sandboxagent.Filesystem/ListDir' }).Count | Should -Be 1
        @($requests | Where-Object { $_ -eq '/sandboxagent.Filesystem/MakeDir' }).Count | Should -Be 5
        (Get-ChildItem -LiteralPath (Join-Path $agent.Home 'counted-new-tree') -Recurse -File).Count | Should -Be 40
        # Into an existing folder, the name the tree takes there (and its listing) are asked for alongside
        # the folder: free, the tree is made there without looking again either.
        $requests = Get-CopyRequest { Copy-SbxItem -ToSandbox -LiteralPath $tree -Destination counted-folder -Recurse -Packing Never -Session $s }
        @($requests | Where-Object { $_ -eq '/sandboxagent.Filesystem/Stat' }).Count | Should -Be 2
        @($requests | Where-Object { $_ -eq '/sandboxagent.Filesystem/ListDir' }).Count | Should -Be 1
        (Get-ChildItem -LiteralPath (Join-Path $agent.Home 'counted-folder/counted-tree') -Recurse -File).Count | Should -Be 40
        # Again, merged into the tree now there: its listing was asked for alongside too, and is not asked again.
        $requests = Get-CopyRequest { Copy-SbxItem -ToSandbox -LiteralPath $tree -Destination counted-folder -Recurse -Packing Never -Force -Session $s }
        @($requests | Where-Object { $_ -eq '/sandboxagent.Filesystem/Stat' }).Count | Should -Be 2
        @($requests | Where-Object { $_ -eq '/sandboxagent.Filesystem/ListDir' }).Count | Should -Be 1
        @($requests | Where-Object { $_ -eq '/sandboxagent.Filesystem/MakeDir' }).Count | Should -Be 0
        @($requests | Where-Object { $_ -eq '/upload' }).Count | Should -Be 40
        # Out of the sandbox, a tree's listing goes alongside its lookup: one Stat, one ListDir, then the files.
        $requests = Get-CopyRequest { Copy-SbxItem -FromSandbox -LiteralPath (Join-Path $agent.Home 'counted-folder/counted-tree') -Destination (Join-Path $work 'counted-tree-back') -Recurse -Packing Never -Session $s }
        @($requests | Where-Object { $_ -eq '/sandboxagent.Filesystem/Stat' }).Count | Should -Be 1
        @($requests | Where-Object { $_ -eq '/sandboxagent.Filesystem/ListDir' }).Count | Should -Be 1
        @($requests | Where-Object { $_ -eq '/download' }).Count | Should -Be 40
        (Get-ChildItem -LiteralPath (Join-Path $work 'counted-tree-back') -Recurse -File).Count | Should -Be 40
        # Copied file by file, new or merged into, a tree's -PassThru items cost no request at all.
        foreach ($case in @{ Path = $tree; Count = 44 }, @{ Path = "$tree/*"; Count = 40 }) {
            $without = Get-CopyRequest { Copy-SbxItem -ToSandbox -Path $case.Path -Destination counted-files -Recurse -Packing Never -Force -Session $s }
            $with = Get-CopyRequest { $returned.Items = Copy-SbxItem -ToSandbox -Path $case.Path -Destination counted-files-passthru -Recurse -Packing Never -Force -PassThru -Session $s }
            $returned.Items | Should -HaveCount $case.Count
            $with | Sort-Object | Should -Be ($without | Sort-Object)
        }
        Get-Content -LiteralPath (Join-Path $agent.Home 'counted-folder/counted.txt') | Should -Be 'counted'
        Get-Content -LiteralPath (Join-Path $work 'counted-back.txt') | Should -Be 'counted'
        Get-Content -LiteralPath (Join-Path $agent.Home 'counted-folder/counted-second.txt') | Should -Be 'second'
        Get-Content -LiteralPath (Join-Path $agent.Home 'counted-new/counted-second.txt') | Should -Be 'second'
    }

    It 'sends back-to-back requests through a proxy that closes each connection after one answer, without a failure' {
        # tinyproxy closes the client's connection after each answer without saying so; a request
        # sent on a connection kept from the one before would meet that close and fail.
        if (-not $haveProxy) { Set-ItResult -Skipped -Because 'tinyproxy is not installed'; return }
        $s = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token -Protocol GrpcWeb -Proxy $proxy.Uri -Name 'proxied-back-to-back'
        $accepted = @(Select-String -LiteralPath $proxy.Log -Pattern 'Connect \(file descriptor').Count
        $failures = [System.Collections.Generic.List[string]]::new()
        for ($i = 0; $i -lt 300; $i++) {
            try { $null = Get-SbxItem -Path $agent.Home -Session $s -ErrorAction Stop }
            catch { $failures.Add("call $($i): $($_.Exception.Message)") }
        }
        $failures | Should -BeNullOrEmpty
        @(Select-String -LiteralPath $proxy.Log -Pattern 'Connect \(file descriptor').Count - $accepted |
            Should -Be 300 -Because 'each request goes on a connection of its own'
    }

    It 'follows HTTP_PROXY from the environment for every request, and NO_PROXY past it' {
        if (-not $haveProxy) { Set-ItResult -Skipped -Because 'tinyproxy is not installed'; return }
        $script = @"
Import-Module `$env:SBX_TEST_MODULE
foreach (`$route in @(@{ Domain = '$($agent.Domain)'; Protocol = 'GrpcWeb' }, @{ Domain = '$($agent.Http2Domain)'; Protocol = 'Grpc' })) {
    `$s = New-SbxSession -Domain `$route.Domain -AccessToken `$env:SBX_TEST_TOKEN -Protocol `$route.Protocol
    (Get-SbxItem -Path / -Session `$s -ErrorAction Stop).Path
    Start-SbxProcess -Command "echo `$(`$route.Protocol) stream" -Session `$s -ErrorAction Stop
    Set-SbxContent -Path "env-`$(`$route.Protocol).txt" -Value 'sent' -Session `$s -ErrorAction Stop
    Get-SbxContent -Path "env-`$(`$route.Protocol).txt" -Session `$s -ErrorAction Stop
}
"@
        $seen = @(Get-TestProxyRequest $proxy).Count
        $out = Invoke-ChildPwsh -Script $script -Environment @{ HTTP_PROXY = $proxy.Uri.ToString() }
        $out | Should -Be @('/', 'GrpcWeb stream', 'sent', '/', 'Grpc stream', 'sent')
        $requests = @(Get-TestProxyRequest $proxy | Select-Object -Skip $seen)
        foreach ($path in '/sandboxagent.Filesystem/Stat', '/sandboxagent.Process/Start', '/upload', '/download/') {
            @($requests | Where-Object { $_ -like "* http://$($agent.Domain)$path*" }).Count | Should -BeGreaterThan 0 -Because "the environment's proxy carried $path"
        }
        $requests | Should -Contain "CONNECT $($agent.Http2Domain) HTTP/1.1"

        $seen = @(Get-TestProxyRequest $proxy).Count
        $out = Invoke-ChildPwsh -Script $script -Environment @{ HTTP_PROXY = $proxy.Uri.ToString(); NO_PROXY = '127.0.0.1' }
        $out | Should -Be @('/', 'GrpcWeb stream', 'sent', '/', 'Grpc stream', 'sent')
        @(Get-TestProxyRequest $proxy | Select-Object -Skip $seen) | Should -BeNullOrEmpty -Because 'NO_PROXY names the agent'
    }

    It 'authenticates to a proxy that wants a user and password with -ProxyCredential over <Protocol>' -ForEach @(
        @{ Protocol = 'GrpcWeb'; Port = 'Domain' }
        @{ Protocol = 'Grpc'; Port = 'Http2Domain' }
    ) {
        if (-not $haveProxy) { Set-ItResult -Skipped -Because 'tinyproxy is not installed'; return }
        $seen = @(Get-TestProxyRequest $authProxy).Count
        $s = New-SbxSession -Domain $agent.$Port -AccessToken $agent.Token -Protocol $Protocol -Proxy $authProxy.Uri -ProxyCredential $proxyCredential
        (Get-SbxItem -Path / -Session $s).Path | Should -Be '/'
        Start-SbxProcess -Command 'echo authenticated' -Session $s | Should -Be 'authenticated'
        # A streamed upload cannot be sent twice, so the credential must go with the first attempt.
        Set-SbxContent -Path "auth-$Protocol.txt" -Value 'through the proxy' -Session $s
        Get-SbxContent -Path "auth-$Protocol.txt" -Session $s | Should -Be 'through the proxy'
        @(Get-TestProxyRequest $authProxy | Select-Object -Skip $seen).Count | Should -BeGreaterThan 0
    }

    It 'says in plain words that the proxy refused a wrong -ProxyCredential over <Protocol>' -ForEach @(
        @{ Protocol = 'GrpcWeb'; Port = 'Domain' }
        @{ Protocol = 'Grpc'; Port = 'Http2Domain' }
    ) {
        if (-not $haveProxy) { Set-ItResult -Skipped -Because 'tinyproxy is not installed'; return }
        $s = New-SbxSession -Domain $agent.$Port -AccessToken $agent.Token -Protocol $Protocol -Proxy $authProxy.Uri -ProxyCredential $wrongCredential
        foreach ($call in { Get-SbxItem -Path / -Session $s -ErrorAction Stop }, { Set-SbxContent -Path wrong.txt -Value x -Session $s -ErrorAction Stop }) {
            $caught = $null
            try { & $call } catch { $caught = $_ }
            $caught | Should -Not -BeNullOrEmpty
            $caught.CategoryInfo.Category | Should -Be 'ConnectionError'
            $caught.Exception.Message | Should -Match "the proxy http://127\.0\.0\.1:$($authProxy.Port) refused the proxy credential \((407 Proxy Authentication Required|401 Unauthorized)\)"
            $caught.Exception.Message | Should -Not -Match 'not-the-secret'
        }
        $none = New-SbxSession -Domain $agent.$Port -AccessToken $agent.Token -Protocol $Protocol -Proxy $authProxy.Uri
        { Get-SbxItem -Path / -Session $none -ErrorAction Stop } | Should -Throw -ExpectedMessage '*wants a user and password (407 Proxy Authentication Required). Give them with -ProxyCredential*'
    }

    It 'offers the signed-in user''s credentials with -ProxyUseDefaultCredentials, and says so when a Basic proxy refuses them, over <Protocol>' -ForEach @(
        @{ Protocol = 'GrpcWeb'; Port = 'Domain'; Expected = '*refused the signed-in user''s credentials (-ProxyUseDefaultCredentials; 407 Proxy Authentication Required)*-ProxyCredential*' }
        @{ Protocol = 'Grpc'; Port = 'Http2Domain'; Expected = '*cannot carry the signed-in user''s credentials (-ProxyUseDefaultCredentials). Give a user and password with -ProxyCredential*' }
    ) {
        # A user here has no NTLM or Kerberos credential; tinyproxy takes Basic only. What is
        # tested is that the choice reaches every route and that its refusal is named as such.
        if (-not $haveProxy) { Set-ItResult -Skipped -Because 'tinyproxy is not installed'; return }
        $s = New-SbxSession -Domain $agent.$Port -AccessToken $agent.Token -Protocol $Protocol -Proxy $authProxy.Uri -ProxyUseDefaultCredentials
        $s.ProxyUseDefaultCredentials | Should -BeTrue
        $caught = $null
        try { Get-SbxItem -Path / -Session $s -ErrorAction Stop } catch { $caught = $_ }
        $caught.CategoryInfo.Category | Should -Be 'ConnectionError'
        $caught.Exception.Message | Should -BeLike $Expected
    }

    It 'says so when the proxy cannot be reached, naming the proxy and not the sandbox' {
        $closed = Get-ClosedLoopbackPort
        $s = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token -Proxy "http://127.0.0.1:$closed" -TimeoutSec 10
        { Get-SbxItem -Path / -Session $s -ErrorAction Stop } | Should -Throw -ExpectedMessage "*the proxy http://127.0.0.1:$closed cannot be reached*"
    }

    It 'keeps -Proxy and -ProxyCredential across Export-Clixml, the password saved as a SecureString' {
        if (-not $haveProxy) { Set-ItResult -Skipped -Because 'tinyproxy is not installed'; return }
        $file = Join-Path $work 'proxied-session.xml'
        $saved = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token -Proxy $authProxy.Uri -ProxyCredential $proxyCredential -Name saved-proxied
        $saved | Export-Clixml -LiteralPath $file
        $xml = Get-Content -LiteralPath $file -Raw
        $xml.Contains('sbx-proxy-secret') | Should -BeFalse
        $xml.Contains($agent.Token) | Should -BeFalse
        $seen = @(Get-TestProxyRequest $authProxy).Count
        $again = Import-Clixml -LiteralPath $file | New-SbxSession
        $again.Proxy | Should -Be $authProxy.Uri
        $again.ProxyCredential.UserName | Should -Be 'sbxuser'
        (Get-SbxItem -Path / -Session $again).Path | Should -Be '/'
        @(Get-TestProxyRequest $authProxy | Select-Object -Skip $seen).Count | Should -BeGreaterThan 0
    }

    It 'refuses <Case> with <ErrorId>' -ForEach @(
        @{ Case = '-ProxyCredential without -Proxy'; ErrorId = 'ProxyRequired'; Arguments = @{ ProxyCredential = [pscredential]::new('u', (ConvertTo-SecureString 'p' -AsPlainText -Force)) } }
        @{ Case = '-ProxyUseDefaultCredentials without -Proxy'; ErrorId = 'ProxyRequired'; Arguments = @{ ProxyUseDefaultCredentials = $true } }
        @{ Case = 'both proxy credentials'; ErrorId = 'ProxyCredentialConflict'; Arguments = @{ Proxy = 'http://127.0.0.1:3128'; ProxyUseDefaultCredentials = $true; ProxyCredential = [pscredential]::new('u', (ConvertTo-SecureString 'p' -AsPlainText -Force)) } }
        @{ Case = 'a proxy with a path'; ErrorId = 'InvalidProxy'; Arguments = @{ Proxy = 'http://127.0.0.1:3128/some/path' } }
        @{ Case = 'a proxy of another scheme'; ErrorId = 'InvalidProxy'; Arguments = @{ Proxy = 'ftp://127.0.0.1:3128' } }
        @{ Case = 'a relative proxy'; ErrorId = 'InvalidProxy'; Arguments = @{ Proxy = 'proxy:3128' } }
    ) {
        $before = @(Get-SbxSession).Count
        $out = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token @Arguments -ErrorAction SilentlyContinue -ErrorVariable err
        $out | Should -BeNullOrEmpty
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -Be "$ErrorId,ScaleBox.Sandbox.Commands.NewSbxSessionCommand"
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        @(Get-SbxSession).Count | Should -Be $before
    }
}

Describe 'Sessions through nginx as a TLS gateway, with a test CA' {
    BeforeAll {
        $gateways = @()
        if ($haveGateway) {
            $authority = New-TestCertificateAuthority
            $http1 = Start-TestGateway -Agent $agent -Authority $authority -Mode Http1
            $http2 = Start-TestGateway -Agent $agent -Authority $authority -Mode Http2
            $http1Cert = Start-TestGateway -Agent $agent -Authority $authority -Mode Http1 -RequireClientCertificate
            $http2Cert = Start-TestGateway -Agent $agent -Authority $authority -Mode Http2 -RequireClientCertificate
            $gateways = @($http1, $http2, $http1Cert, $http2Cert)
            $clientCertificate = [System.Security.Cryptography.X509Certificates.X509Certificate2]::CreateFromPemFile($authority.ClientCertificate, $authority.ClientKey)
        }
        # The test CA is in no trust store of this process: -SkipCertificateCheck here; SSL_CERT_FILE in a child below.
        $viaGateway = @{ AccessToken = $agent.Token; SkipCertificateCheck = $true; WarningAction = 'SilentlyContinue' }
    }

    AfterAll {
        Get-SbxSession | Remove-SbxSession
        foreach ($gateway in $gateways) { Stop-TestTlsGateway $gateway }
        if ($authority) { Remove-Item -LiteralPath $authority.Folder -Recurse -Force -ErrorAction SilentlyContinue }
    }

    It 'carries <Protocol> through HTTP/1.1 proxying with buffering off: RPCs, a stream, stdin and a 100 MB transfer' -ForEach @(
        @{ Protocol = 'GrpcWeb' }
        @{ Protocol = 'Connect' }
        @{ Protocol = 'ConnectJson' }
    ) {
        if (-not $haveGateway) { Set-ItResult -Skipped -Because 'nginx or openssl is not installed'; return }
        $seen = @(Get-TestGatewayRequest $http1).Count
        $s = New-SbxSession -Domain $http1.Domain -Protocol $Protocol @viaGateway
        Invoke-RoundTrip -Session $s -Label "gateway1-$Protocol"
        $requests = @(Get-TestGatewayRequest $http1 | Select-Object -Skip $seen)
        foreach ($path in '/sandboxagent.Filesystem/Stat', '/sandboxagent.Process/Start', '/sandboxagent.Process/SendInput', '/upload') {
            $requests.Path | Should -Contain $path
        }
        @($requests | Where-Object Path -Like '/download/*').Count | Should -BeGreaterThan 0
    }

    It 'carries <Protocol> through HTTP/2 with grpc_pass: RPCs, a stream, stdin and a 100 MB transfer' -ForEach @(
        # gRPC negotiates HTTP/2 by ALPN for its calls and downloads; its uploads take HTTP/1.1
        # once the gateway has answered /health over it (one probe per session).
        @{ Protocol = 'Grpc'; Calls = 'HTTP/2.0'; Uploads = 'HTTP/1.1'; Probes = 1 }
        @{ Protocol = 'GrpcWeb'; Calls = 'HTTP/1.1'; Uploads = 'HTTP/1.1'; Probes = 0 }
    ) {
        if (-not $haveGateway) { Set-ItResult -Skipped -Because 'nginx or openssl is not installed'; return }
        $seen = @(Get-TestGatewayRequest $http2).Count
        $s = New-SbxSession -Domain $http2.Domain -Protocol $Protocol @viaGateway
        Invoke-RoundTrip -Session $s -Label "gateway2-$Protocol"
        $requests = @(Get-TestGatewayRequest $http2 | Select-Object -Skip $seen)
        $requests.Path | Should -Contain '/upload'
        @($requests | Where-Object Path -Like '/download/*').Count | Should -BeGreaterThan 0
        @($requests | Where-Object Path -Like '/sandboxagent.*').Protocol | Select-Object -Unique | Should -Be $Calls
        @($requests | Where-Object Path -Like '/download/*').Protocol | Select-Object -Unique | Should -Be $Calls
        @($requests | Where-Object Path -EQ '/upload').Protocol | Select-Object -Unique | Should -Be $Uploads
        $healthRequests = @($requests | Where-Object Path -EQ '/health')
        $healthRequests | Should -HaveCount $Probes
        if ($Probes) { $healthRequests.Protocol | Should -Be 'HTTP/1.1' }
    }

    It 'keeps the uploads of a gRPC session on HTTP/2 through a gateway that passes on nothing else' {
        if (-not $haveGateway) { Set-ItResult -Skipped -Because 'nginx or openssl is not installed'; return }
        $grpcOnly = Start-TestGateway -Agent $agent -Authority $authority -Mode Http2Only
        try {
            $s = New-SbxSession -Domain $grpcOnly.Domain -Protocol Grpc @viaGateway
            Invoke-RoundTrip -Session $s -Label 'gateway-grpc-only'
            $requests = @(Get-TestGatewayRequest $grpcOnly)
            # The one probe was refused, and everything went over HTTP/2.
            $refused = @($requests | Where-Object Protocol -EQ 'HTTP/1.1')
            $refused.Path | Should -Be '/health'
            $refused.Status | Should -Be 505
            @($requests | Where-Object Path -EQ '/upload').Protocol | Should -Be 'HTTP/2.0'
            @($requests | Where-Object Path -Like '/download/*').Protocol | Select-Object -Unique | Should -Be 'HTTP/2.0'
        }
        finally {
            Stop-TestTlsGateway $grpcOnly
        }
    }

    It 'keeps the transfers of a gRPC session on HTTP/2 at a cleartext port that speaks nothing else' {
        if (-not $haveGateway) { Set-ItResult -Skipped -Because 'nginx or openssl is not installed'; return }
        # At the agent's own gRPC port they take HTTP/1.1 (GrpcTransferVersionTests); here nginx hangs
        # up on the HTTP/1.1 probe, which is an answer: every transfer stays on HTTP/2, and works,
        # and no transfer after the first asks again.
        $h2c = Start-TestGateway -Agent $agent -Authority $authority -Mode Http2Cleartext
        try {
            $s = New-SbxSession -Domain $h2c.Domain -AccessToken $agent.Token -Protocol Grpc
            Invoke-RoundTrip -Session $s -Label 'gateway-h2c'
            Copy-SbxItem -ToSandbox -Path $big -Destination 'gateway-h2c-again.bin' -Session $s
            Remove-Item -LiteralPath (Join-Path $agent.Home 'gateway-h2c-again.bin')
            @(Select-String -LiteralPath $h2c.ErrorLog -Pattern 'invalid connection preface').Count | Should -Be 1
            $requests = @(Get-TestGatewayRequest $h2c)
            @($requests | Where-Object Path -EQ '/upload').Protocol | Should -Be @('HTTP/2.0', 'HTTP/2.0')
            @($requests | Where-Object Path -Like '/download/*').Protocol | Select-Object -Unique | Should -Be 'HTTP/2.0'
            @($requests | Where-Object Path -Like '/sandboxagent.*').Protocol | Select-Object -Unique | Should -Be 'HTTP/2.0'
        }
        finally {
            Stop-TestTlsGateway $h2c
        }
    }

    It 'says that the gateway could not reach the agent when nothing is behind it, over <Protocol>' -ForEach @(
        @{ Protocol = 'GrpcWeb'; Mode = 'Http1' }
        @{ Protocol = 'Connect'; Mode = 'Http1' }
        @{ Protocol = 'Grpc'; Mode = 'Http2' }
    ) {
        if (-not $haveGateway) { Set-ItResult -Skipped -Because 'nginx or openssl is not installed'; return }
        # A stopped sandbox behind its gateway: nginx answers 502 with its own page.
        $nobody = [pscustomobject]@{ Domain = "127.0.0.1:$(Get-ClosedLoopbackPort)"; Http2Domain = "127.0.0.1:$(Get-ClosedLoopbackPort)" }
        $orphan = Start-TestGateway -Agent $nobody -Authority $authority -Mode $Mode
        try {
            $s = New-SbxSession -Domain $orphan.Domain -Protocol $Protocol @viaGateway
            $caught = $null
            try { Get-SbxItem -Path / -Session $s -ErrorAction Stop } catch { $caught = $_ }
            $caught.CategoryInfo.Category | Should -Be 'ConnectionError'
            $caught.Exception.Message | Should -Match "Cannot reach the sandbox agent at $([regex]::Escape($orphan.Domain)) to get '/': HTTP 502 BadGateway\. Check that the sandbox is running"
            (Get-TestGatewayRequest $orphan).Status | Should -Contain '502'
        }
        finally {
            Stop-TestTlsGateway $orphan
        }
    }

    It 'says plainly that a gateway without HTTP/2 cannot carry -Protocol Grpc' {
        if (-not $haveGateway) { Set-ItResult -Skipped -Because 'nginx or openssl is not installed'; return }
        $s = New-SbxSession -Domain $http1.Domain -Protocol Grpc @viaGateway
        { Get-SbxItem -Path / -Session $s -ErrorAction Stop } | Should -Throw -ExpectedMessage '*does not offer HTTP/2 (ALPN h2), which -Protocol Grpc needs*Use -Protocol GrpcWeb*'
    }

    It 'reaches a gateway that wants a client certificate (<Mode>) only with -Certificate, and says so without it' -ForEach @(
        @{ Mode = 'Http1'; Protocol = 'GrpcWeb' }
        @{ Mode = 'Http2'; Protocol = 'Grpc' }
    ) {
        if (-not $haveGateway) { Set-ItResult -Skipped -Because 'nginx or openssl is not installed'; return }
        $gateway = if ($Mode -eq 'Http1') { $http1Cert } else { $http2Cert }
        $without = New-SbxSession -Domain $gateway.Domain -Protocol $Protocol @viaGateway
        $caught = $null
        try { Get-SbxItem -Path / -Session $without -ErrorAction Stop } catch { $caught = $_ }
        $caught | Should -Not -BeNullOrEmpty
        $caught.CategoryInfo.Category | Should -Be 'ConnectionError'
        $caught.Exception.Message | Should -Match 'wants a client certificate.*Give one with -Certificate'

        $with = New-SbxSession -Domain $gateway.Domain -Protocol $Protocol -Certificate $clientCertificate @viaGateway
        (Get-SbxItem -Path / -Session $with).Path | Should -Be '/'
        Start-SbxProcess -Command 'echo with a certificate' -Session $with | Should -Be 'with a certificate'
        Set-SbxContent -Path "cert-$Mode.txt" -Value 'sent' -Session $with
        Get-SbxContent -Path "cert-$Mode.txt" -Session $with | Should -Be 'sent'
        @(Get-TestGatewayRequest $gateway | Where-Object ClientCertificate -EQ 'CN=sbx-test-client').Count | Should -BeGreaterThan 3
    }

    It 'refuses -Certificate without its private key' {
        if (-not $haveGateway) { Set-ItResult -Skipped -Because 'nginx or openssl is not installed'; return }
        $publicOnly = [System.Security.Cryptography.X509Certificates.X509Certificate2]::new($authority.ClientCertificate)
        $out = New-SbxSession -Domain $http1Cert.Domain -Certificate $publicOnly @viaGateway -ErrorAction SilentlyContinue -ErrorVariable err
        $out | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Be 'CertificateWithoutPrivateKey,ScaleBox.Sandbox.Commands.NewSbxSessionCommand'
        $err[0].Exception.Message | Should -Match 'no private key'
    }

    It 'trusts the gateway without -SkipCertificateCheck when SSL_CERT_FILE names the test CA (a fresh process)' {
        if (-not $haveGateway) { Set-ItResult -Skipped -Because 'nginx or openssl is not installed'; return }
        $script = @"
Import-Module `$env:SBX_TEST_MODULE
`$s = New-SbxSession -Domain '$($http2.Domain)' -AccessToken `$env:SBX_TEST_TOKEN -Protocol Grpc -WarningVariable warned
(Get-SbxItem -Path / -Session `$s -ErrorAction Stop).Path
Start-SbxProcess -Command 'echo trusted' -Session `$s -ErrorAction Stop
"warnings: `$(`$warned.Count)"
"@
        Invoke-ChildPwsh -Script $script -Environment @{ SSL_CERT_FILE = $authority.CaCertificate } | Should -Be @('/', 'trusted', 'warnings: 0')
    }

    It 'says that a trusted gateway''s certificate is not for the domain when reached by another name (a fresh process)' {
        if (-not $haveGateway) { Set-ItResult -Skipped -Because 'nginx or openssl is not installed'; return }
        # The certificate names 127.0.0.1; localhost reaches the same gateway by a name it does not hold.
        $byName = $http1.Domain -replace '127\.0\.0\.1', 'localhost'
        $script = @"
Import-Module `$env:SBX_TEST_MODULE
`$s = New-SbxSession -Domain '$byName' -AccessToken `$env:SBX_TEST_TOKEN -WarningAction SilentlyContinue
try { Get-SbxItem -Path / -Session `$s -ErrorAction Stop } catch { `$_.CategoryInfo.Category; `$_.Exception.Message }
"@
        $output = Invoke-ChildPwsh -Script $script -Environment @{ SSL_CERT_FILE = $authority.CaCertificate }
        $output[0] | Should -Be 'ConnectionError'
        $output[1] | Should -Match "RemoteCertificateNameMismatch.*The gateway's certificate is not for 'localhost': check the domain"
        $output[1] | Should -Not -Match 'private CA' -Because 'the issuer is trusted in that process'
    }

    It 'says both that the certificate is not for the domain and how to trust its issuer, when both are wrong' {
        if (-not $haveGateway) { Set-ItResult -Skipped -Because 'nginx or openssl is not installed'; return }
        $s = New-SbxSession -Domain ($http1.Domain -replace '127\.0\.0\.1', 'localhost') -AccessToken $agent.Token -WarningAction SilentlyContinue
        $caught = $null
        try { Get-SbxItem -Path / -Session $s -ErrorAction Stop } catch { $caught = $_ }
        $caught.CategoryInfo.Category | Should -Be 'ConnectionError'
        $caught.Exception.Message | Should -Match "not for 'localhost'.*private CA"
    }

    It 'takes gRPC over TLS through a proxy''s CONNECT tunnel, HTTP/2 inside it' {
        if (-not ($haveGateway -and $haveProxy)) { Set-ItResult -Skipped -Because 'nginx, openssl or tinyproxy is not installed'; return }
        $proxy = Start-TestProxy -Credential $proxyCredential
        try {
            $seen = @(Get-TestGatewayRequest $http2).Count
            $s = New-SbxSession -Domain $http2.Domain -Protocol Grpc -Proxy $proxy.Uri -ProxyCredential $proxyCredential @viaGateway
            (Get-SbxItem -Path / -Session $s).Path | Should -Be '/'
            Start-SbxProcess -Command 'echo tunnelled' -Session $s | Should -Be 'tunnelled'
            Get-TestProxyRequest $proxy | Should -Contain "CONNECT 127.0.0.1:$(([uri] $http2.Domain).Port) HTTP/1.1"
            (Get-TestGatewayRequest $http2 | Select-Object -Skip $seen).Protocol | Select-Object -Unique | Should -Be 'HTTP/2.0'

            $wrong = New-SbxSession -Domain $http2.Domain -Protocol Grpc -Proxy $proxy.Uri -ProxyCredential $wrongCredential @viaGateway
            { Get-SbxItem -Path / -Session $wrong -ErrorAction Stop } | Should -Throw -ExpectedMessage '*refused the proxy credential (40? *Check -ProxyCredential*'
        }
        finally {
            Stop-TestProxy $proxy
        }
    }
}

Describe 'Messages larger than gRPC''s 4 MB default' {
    It 'receives a 12 MB directory listing in one message over <Protocol>' -ForEach @(
        @{ Protocol = 'GrpcWeb'; Port = 'Domain' }
        @{ Protocol = 'Grpc'; Port = 'Http2Domain' }
    ) {
        $folder = Join-Path $agent.Home 'wide'
        if (-not (Test-Path -LiteralPath $folder)) {
            New-Item -ItemType Directory -Path $folder | Out-Null
            # 40000 names of 200 characters: one ListDir answer of well over 4 MB.
            & bash -c "cd '$folder' && for i in `$(seq -w 1 40000); do echo -n > `"`$i-$('n' * 194)`"; done"
        }
        $s = New-SbxSession -Domain $agent.$Port -AccessToken $agent.Token -Protocol $Protocol
        @(Get-SbxChildItem -Path wide -Session $s).Count | Should -Be 40000
    }
}

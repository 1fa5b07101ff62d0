BeforeAll {
    . (Join-Path $PSScriptRoot 'TestAgent.ps1')
    $agent = Start-TestAgent
    $modulePath = Get-TestModulePath
    Import-Module $modulePath -Force
    $session = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token -Name main
    $ProgressPreference = 'SilentlyContinue'

    $work = Join-Path ([System.IO.Path]::GetTempPath()) ('sbx-url-' + [guid]::NewGuid().ToString('N').Substring(0, 12))
    New-Item -ItemType Directory -Path $work | Out-Null
    $curl = Get-Command curl -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1

    function New-RemoteFile([string] $Path, [int] $Size = 5000, [int] $Seed = 1) {
        $full = Join-Path $agent.Home $Path
        $parent = Split-Path -Parent $full
        if (-not (Test-Path -LiteralPath $parent)) { New-Item -ItemType Directory -Path $parent -Force | Out-Null }
        $bytes = [byte[]]::new($Size)
        [System.Random]::new($Seed).NextBytes($bytes)
        [System.IO.File]::WriteAllBytes($full, $bytes)
        $full
    }

    function New-LocalFile([string] $Name, [int] $Size = 5000, [int] $Seed = 2) {
        $full = Join-Path $work $Name
        $bytes = [byte[]]::new($Size)
        [System.Random]::new($Seed).NextBytes($bytes)
        [System.IO.File]::WriteAllBytes($full, $bytes)
        $full
    }

    function Get-Sha([string] $Path) {
        (Get-FileHash -LiteralPath $Path -Algorithm SHA256).Hash
    }

    function Invoke-Url([string] $Url, [string] $OutFile) {
        <# A plain GET without any header of ours; never through a proxy. Returns the status code. #>
        $parameters = @{ Uri = $Url; NoProxy = $true; SkipHttpErrorCheck = $true; MaximumRedirection = 0 }
        if ($OutFile) {
            $response = Invoke-WebRequest @parameters -OutFile $OutFile -PassThru
        }
        else {
            $response = Invoke-WebRequest @parameters
        }
        $response
    }

    function Send-File([string] $Url, [string] $Local) {
        <# A multipart POST of $Local as the part "file", as the signed upload URL expects. #>
        Invoke-WebRequest -Uri $Url -Method Post -Form @{ file = Get-Item -LiteralPath $Local } -NoProxy -SkipHttpErrorCheck -MaximumRedirection 0
    }

    function Get-Query([string] $Url) {
        # The comma keeps PowerShell from unrolling the collection into its keys.
        , [System.Web.HttpUtility]::ParseQueryString(([uri]$Url).Query)
    }

    function Set-QueryValue([string] $Url, [string] $Name, [string] $Value) {
        $pair = $Name + '=' + [uri]::EscapeDataString($Value)
        [regex]::Replace($Url, "([?&])$([regex]::Escape($Name))=[^&]*", { param($match) $match.Groups[1].Value + $pair }.GetNewClosure())
    }

    function Get-ExpectedSignature([string] $Path, [string] $Operation, [string] $User, [string] $Expiration) {
        $raw = "${Path}:${Operation}:${User}:$($agent.Token)"
        if ($Expiration) { $raw += ":$Expiration" }
        $digest = [System.Security.Cryptography.SHA256]::HashData([System.Text.Encoding]::UTF8.GetBytes($raw))
        'v1_' + [System.Convert]::ToBase64String($digest).TrimEnd('=')
    }

    function Get-UnixNow { [DateTimeOffset]::UtcNow.ToUnixTimeSeconds() }
}

AfterAll {
    try {
        Get-SbxSession | Remove-SbxSession
    }
    finally {
        if ($agent) { Stop-TestAgent $agent }
        if ($work) { Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue }
    }
}

Describe 'Get-SbxFileUrl' {
    Context 'read URLs' {
        BeforeAll {
            $file = New-RemoteFile 'url/read.bin' 300000
        }

        It 'returns a URL on the agent''s own address that does not reveal the token' {
            $url = Get-SbxFileUrl -Path $file
            $url | Should -HaveCount 1
            $url | Should -BeOfType ([string])
            $url | Should -BeLike "http://$($agent.Domain)/download/*"
            $url | Should -Not -Match $agent.Token
        }

        It 'downloads the file with Invoke-WebRequest and no header' {
            $url = Get-SbxFileUrl $file
            $out = Join-Path $work 'read.bin'
            $response = Invoke-Url $url -OutFile $out
            $response.StatusCode | Should -Be 200
            Get-Sha $out | Should -Be (Get-Sha $file)
        }

        It 'signs the clean path for a path written with ., .. and extra slashes, as the agent cleans it, and the URL works' {
            $relative = [System.IO.Path]::GetRelativePath($agent.Home, $file)
            $url = Get-SbxFileUrl "./elsewhere/..//$relative" -NoExpiry
            $url | Should -Be (Get-SbxFileUrl $file -NoExpiry)
            ([uri]$url).AbsolutePath | Should -Not -Match '/\./|//'
            $out = Join-Path $work 'read-dotted.bin'
            (Invoke-Url $url -OutFile $out).StatusCode | Should -Be 200
            Get-Sha $out | Should -Be (Get-Sha $file)
        }

        It 'downloads the file with curl' {
            if (-not $curl) {
                Set-ItResult -Skipped -Because 'curl is not installed'
                return
            }
            $url = Get-SbxFileUrl $file
            $out = Join-Path $work 'read-curl.bin'
            & $curl.Source --silent --show-error --fail --noproxy '*' --output $out $url
            $LASTEXITCODE | Should -Be 0
            Get-Sha $out | Should -Be (Get-Sha $file)
        }

        It 'serves a range of the file' {
            $url = Get-SbxFileUrl $file
            $response = Invoke-WebRequest -Uri $url -Headers @{ Range = 'bytes=10-19' } -NoProxy -SkipHttpErrorCheck
            $response.StatusCode | Should -Be 206
            [byte[]]$response.Content | Should -Be ([System.IO.File]::ReadAllBytes($file)[10..19])
        }

        It 'downloads "<Name>"' -ForEach @(
            @{ Name = 'with space.txt' }
            @{ Name = 'hash#tag.txt' }
            @{ Name = '100%25 sure.txt' }
            @{ Name = 'what?.txt' }
            @{ Name = 'a&b=c+d.txt' }
            @{ Name = 'ünïcødé 文字 😀.bin' }
        ) {
            $remote = New-RemoteFile "url/names/$Name" 1000 -Seed $Name.Length
            $out = Join-Path $work 'named.bin'
            $response = Invoke-Url (Get-SbxFileUrl -Path $remote) -OutFile $out
            $response.StatusCode | Should -Be 200
            Get-Sha $out | Should -Be (Get-Sha $remote)
        }

        It 'takes sandbox items from the pipeline' {
            New-RemoteFile 'url/piped/one.bin' 100 | Out-Null
            New-RemoteFile 'url/piped/two.bin' 200 | Out-Null
            $urls = Get-SbxChildItem -Path url/piped -File | Get-SbxFileUrl
            $urls | Should -HaveCount 2
            foreach ($url in $urls) {
                (Invoke-Url $url).StatusCode | Should -Be 200
            }
            (Get-SbxItem -Path url/piped/two.bin | Get-SbxFileUrl) | Should -BeLike '*/download/*/url/piped/two.bin?*'
        }

        It 'answers 404 for a missing file and 400 for a directory' {
            # The URL is made locally, without asking the sandbox whether the file exists.
            (Invoke-Url (Get-SbxFileUrl (Join-Path $agent.Home 'url/missing.bin'))).StatusCode | Should -Be 404
            (Invoke-Url (Get-SbxFileUrl (Join-Path $agent.Home 'url'))).StatusCode | Should -Be 400
        }
    }

    Context 'write URLs' {
        It 'uploads a file with curl -F' {
            if (-not $curl) {
                Set-ItResult -Skipped -Because 'curl is not installed'
                return
            }
            $local = New-LocalFile 'curl-up.bin' 250000
            $target = Join-Path $agent.Home 'url/up/new/dir/curl.bin'
            $url = Get-SbxFileUrl -Path $target -Operation Write
            $url | Should -BeLike "http://$($agent.Domain)/upload?path=*"
            $code = & $curl.Source --silent --show-error --noproxy '*' --output /dev/null --write-out '%{http_code}' -F "file=@$local" $url
            $LASTEXITCODE | Should -Be 0
            $code | Should -Be '200'
            Get-Sha $target | Should -Be (Get-Sha $local)
        }

        It 'uploads a file with Invoke-WebRequest -Form, replacing what is there' {
            $target = New-RemoteFile 'url/up/replace.bin' 100
            $local = New-LocalFile 'form-up.bin' 70000 -Seed 9
            $response = Send-File (Get-SbxFileUrl $target Write) $local
            $response.StatusCode | Should -Be 200
            Get-Sha $target | Should -Be (Get-Sha $local)
        }

        It 'uploads to "<Name>"' -ForEach @(
            @{ Name = 'with space #1 ?.bin' }
            @{ Name = 'ünïcødé 文字.bin' }
        ) {
            $target = Join-Path $agent.Home "url/up/$Name"
            $local = New-LocalFile 'named-up.bin' 3000 -Seed $Name.Length
            (Send-File (Get-SbxFileUrl $target -Operation Write) $local).StatusCode | Should -Be 200
            Get-Sha $target | Should -Be (Get-Sha $local)
        }

        It 'is refused for another path than the one signed' {
            $url = Get-SbxFileUrl (Join-Path $agent.Home 'url/up/allowed.bin') -Operation Write
            $other = Set-QueryValue $url 'path' (Join-Path $agent.Home 'url/up/other.bin')
            $local = New-LocalFile 'tamper-up.bin' 100
            (Send-File $other $local).StatusCode | Should -Be 401
            Test-Path -LiteralPath (Join-Path $agent.Home 'url/up/other.bin') | Should -BeFalse
        }

        It 'does not read: a Write URL turned into a download is refused' {
            $file = New-RemoteFile 'url/up/not-readable.bin' 100
            $url = Get-SbxFileUrl $file -Operation Write
            $query = Get-Query $url
            $download = "http://$($agent.Domain)/download/$($file.TrimStart('/'))?signature=$([uri]::EscapeDataString($query['signature']))&signature_expiration=$($query['signature_expiration'])&username=root"
            (Invoke-Url $download).StatusCode | Should -Be 401
        }
    }

    Context 'signatures and expiry' {
        BeforeAll {
            $file = New-RemoteFile 'url/signed.bin' 1000
        }

        It 'expires in one hour by default' {
            $before = Get-UnixNow
            $query = Get-Query (Get-SbxFileUrl $file)
            $after = Get-UnixNow
            $expiration = [long]$query['signature_expiration']
            $expiration | Should -BeGreaterOrEqual ($before + 3600 - 1)
            $expiration | Should -BeLessOrEqual ($after + 3600 + 1)
        }

        It 'expires when -ExpiresIn says' {
            $before = Get-UnixNow
            $query = Get-Query (Get-SbxFileUrl $file -ExpiresIn (New-TimeSpan -Minutes 5))
            $expiration = [long]$query['signature_expiration']
            $expiration | Should -BeGreaterOrEqual ($before + 300 - 1)
            $expiration | Should -BeLessOrEqual ((Get-UnixNow) + 300 + 1)

            $query = Get-Query (Get-SbxFileUrl $file -ExpiresIn 1.00:00:00)
            [long]$query['signature_expiration'] | Should -BeGreaterOrEqual ($before + 86400 - 1)
        }

        It 'takes a number, or a numeric string, for -ExpiresIn as seconds' -ForEach @(
            @{ Lifetime = 300 }
            @{ Lifetime = '300' }
            @{ Lifetime = 300.0 }
            @{ Lifetime = '00:05:00' }
        ) {
            $before = Get-UnixNow
            $expiration = [long](Get-Query (Get-SbxFileUrl $file -ExpiresIn $Lifetime))['signature_expiration']
            $expiration | Should -BeGreaterOrEqual ($before + 300 - 1)
            $expiration | Should -BeLessOrEqual ((Get-UnixNow) + 300 + 1)
        }

        It 'has no expiry with -NoExpiry, and works' {
            $url = Get-SbxFileUrl $file -NoExpiry
            $url | Should -Not -Match 'signature_expiration'
            (Get-Query $url)['signature'] | Should -Not -BeNullOrEmpty
            (Invoke-Url $url).StatusCode | Should -Be 200
        }

        It 'signs as the wire format says: v1_ + base64(sha256(path:operation:user:token[:expiration]))' {
            $query = Get-Query (Get-SbxFileUrl $file)
            $query['username'] | Should -Be 'root'
            $query['signature'] | Should -BeExactly (Get-ExpectedSignature $file 'read' 'root' $query['signature_expiration'])

            $query = Get-Query (Get-SbxFileUrl $file -Operation Write -NoExpiry)
            $query['path'] | Should -Be $file
            $query['signature'] | Should -BeExactly (Get-ExpectedSignature $file 'write' 'root' $null)
        }

        It 'matches the published test vectors (token TOKEN123, no expiry)' {
            # In a runspace of its own, so that its session does not become this file's default.
            $ps = [powershell]::Create()
            try {
                $null = $ps.AddScript('param($Module, $Domain)
                    Import-Module $Module
                    $null = New-SbxSession -Domain $Domain -AccessToken TOKEN123
                    Get-SbxFileUrl /root/up.txt -Operation Write -NoExpiry
                    Get-SbxFileUrl /root/a.txt -Operation Read -NoExpiry').AddArgument($modulePath).AddArgument($agent.Domain)
                $urls = $ps.Invoke()
                $ps.Streams.Error | Should -BeNullOrEmpty
            }
            finally {
                $ps.Dispose()
            }
            $urls | Should -HaveCount 2
            (Get-Query $urls[0])['signature'] | Should -BeExactly 'v1_z3RA5IL8RLA2zYnzjE7cVl/3ZQf+TG7kdmd1VpaBXWQ'
            (Get-Query $urls[1])['signature'] | Should -BeExactly 'v1_y6IQwEsDj5gW/ibAv/MjCmevn4edah/U6arIQJqSVgc'
        }

        It 'signs for the user given with -User' {
            $query = Get-Query (Get-SbxFileUrl $file -User alice)
            $query['username'] | Should -Be 'alice'
            $query['signature'] | Should -BeExactly (Get-ExpectedSignature $file 'read' 'alice' $query['signature_expiration'])
        }

        It 'is refused (401) when <Change>' -ForEach @(
            @{ Change = 'the signature is changed' }
            @{ Change = 'the expiry is moved' }
            @{ Change = 'the user is changed' }
            @{ Change = 'the path is changed' }
            @{ Change = 'the signature is removed' }
        ) {
            New-RemoteFile 'url/signed-other.bin' 10 | Out-Null
            $url = Get-SbxFileUrl $file
            $query = Get-Query $url
            $tampered = switch ($Change) {
                'the signature is changed' {
                    $signature = $query['signature']
                    $flipped = if ($signature[5] -eq 'A') { 'B' } else { 'A' }
                    Set-QueryValue $url 'signature' ($signature.Substring(0, 5) + $flipped + $signature.Substring(6))
                }
                'the expiry is moved' { Set-QueryValue $url 'signature_expiration' ([string]([long]$query['signature_expiration'] + 3600)) }
                'the user is changed' { Set-QueryValue $url 'username' 'nobody' }
                'the path is changed' { $url.Replace('/url/signed.bin?', '/url/signed-other.bin?') }
                'the signature is removed' { [regex]::Replace($url, 'signature=[^&]*&', '') }
            }
            $tampered | Should -Not -Be $url
            (Invoke-Url $url).StatusCode | Should -Be 200
            (Invoke-Url $tampered).StatusCode | Should -Be 401
        }

        It 'stops working once it has expired' {
            $url = Get-SbxFileUrl $file -ExpiresIn (New-TimeSpan -Seconds 1)
            $expiration = [long](Get-Query $url)['signature_expiration']
            while ((Get-UnixNow) -le $expiration) { Start-Sleep -Milliseconds 100 }
            $response = Invoke-Url $url
            $response.StatusCode | Should -Be 401
            $response.Content | Should -Match 'expired'
        }

        It 'refuses a lifetime that is not positive (InvalidLifetime)' -ForEach @(
            @{ Lifetime = [TimeSpan]::Zero }
            @{ Lifetime = [TimeSpan]::FromMinutes(-5) }
        ) {
            $caught = $null
            try {
                Get-SbxFileUrl $file -ExpiresIn $Lifetime
            }
            catch {
                $caught = $_
            }
            $caught | Should -Not -BeNullOrEmpty
            $caught.FullyQualifiedErrorId | Should -Be 'InvalidLifetime,ScaleBox.Sandbox.Commands.GetSbxFileUrlCommand'
            $caught.CategoryInfo.Category | Should -Be 'InvalidArgument'
        }

        It 'refuses -ExpiresIn 0' {
            { Get-SbxFileUrl $file -ExpiresIn 0 } | Should -Throw -ErrorId 'InvalidLifetime,*'
        }

        It 'refuses -NoExpiry together with -ExpiresIn' {
            { Get-SbxFileUrl $file -NoExpiry -ExpiresIn 00:05:00 } | Should -Throw -ErrorId 'AmbiguousParameterSet,*'
        }
    }

    Context 'relative paths' {
        # Every other cmdlet of the module resolves a relative path against the agent's home
        # directory; a URL for 'name' should therefore reach the file that Get-SbxContent 'name' reads.
        It 'makes a read URL for a relative path that downloads the file in the home directory' {
            $name = 'sbx-url-relative-' + [guid]::NewGuid().ToString('N') + '.bin'
            $file = New-RemoteFile $name 1000
            Test-Path -LiteralPath "/$name" | Should -BeFalse
            $url = Get-SbxFileUrl -Path $name
            $out = Join-Path $work 'relative.bin'
            $response = Invoke-Url $url -OutFile $out
            $response.StatusCode | Should -Be 200 -Because "$url should download $file"
            Get-Sha $out | Should -Be (Get-Sha $file)
        }

        It 'makes a write URL for a relative path that uploads into the home directory, not to /' {
            $name = 'sbx-url-relative-up-' + [guid]::NewGuid().ToString('N') + '.bin'
            $local = New-LocalFile 'relative-up.bin' 1000
            try {
                $response = Send-File (Get-SbxFileUrl -Path $name -Operation Write) $local
                $response.StatusCode | Should -Be 200
                Test-Path -LiteralPath "/$name" | Should -BeFalse -Because 'a relative path must not be written at the root of the file system'
                Get-Sha (Join-Path $agent.Home $name) | Should -Be (Get-Sha $local)
            }
            finally {
                # Today the upload lands at /<name>: remove it.
                Remove-Item -LiteralPath "/$name" -Force -ErrorAction SilentlyContinue
            }
        }

        It 'signs a relative path as the absolute path under the home directory' {
            New-RemoteFile 'url/rel/signed.bin' 10 | Out-Null
            $url = Get-SbxFileUrl -Path url/rel/signed.bin -NoExpiry
            $absolute = Join-Path $agent.Home 'url/rel/signed.bin'
            $url | Should -BeLike "*/download/$($absolute.TrimStart('/'))?*"
            (Get-Query $url)['signature'] | Should -BeExactly (Get-ExpectedSignature $absolute 'read' 'root' $null)
            (Get-Query (Get-SbxFileUrl url/rel/up.bin -Operation Write))['path'] | Should -Be (Join-Path $agent.Home 'url/rel/up.bin')
        }

        It 'reaches the home directory through ~/' {
            $file = New-RemoteFile 'url/tilde.bin' 1000
            $out = Join-Path $work 'tilde.bin'
            $url = Get-SbxFileUrl '~/url/tilde.bin'
            (Invoke-Url $url -OutFile $out).StatusCode | Should -Be 200
            Get-Sha $out | Should -Be (Get-Sha $file)
            $url | Should -BeLike "*/download/$($file.TrimStart('/'))?*"
        }

        It 'resolves . and .. segments before signing' {
            $file = New-RemoteFile 'url/dots/file.bin' 1000
            $url = Get-SbxFileUrl (Join-Path $agent.Home 'url/./other/../dots/file.bin')
            $url | Should -BeLike '*/url/dots/file.bin?*'
            (Invoke-Url $url).StatusCode | Should -Be 200
        }
    }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestAgent.ps1')
    $savedEnv = @{ Domain = $env:SANDBOX_DOMAIN; Token = $env:ENVD_ACCESS_TOKEN }
    Remove-Item Env:SANDBOX_DOMAIN, Env:ENVD_ACCESS_TOKEN -ErrorAction SilentlyContinue
    $agent = Start-TestAgent
    Import-Module (Get-TestModulePath) -Force
    $session = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token -Name main
}

AfterAll {
    Get-SbxSession | Remove-SbxSession
    if ($agent) { Stop-TestAgent $agent }
    $env:SANDBOX_DOMAIN = $savedEnv.Domain
    $env:ENVD_ACCESS_TOKEN = $savedEnv.Token
}

Describe 'New-SbxSession' {
    AfterEach {
        # Every test leaves only the 'main' session behind, so the default stays the local agent.
        Get-SbxSession | Where-Object Name -NE 'main' | Remove-SbxSession
    }

    Context 'domain and token' {
        It 'takes -Domain and -AccessToken as strings and reaches the agent' {
            $s = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token
            $s | Should -BeOfType ([ScaleBox.Sandbox.Sessions.SbxSession])
            $s.Domain | Should -Be $agent.Domain
            $s.BaseUri | Should -Be ([uri] "http://$($agent.Domain)/")
            $s.State | Should -Be 'Opened'
            $s.Protocol | Should -Be 'GrpcWeb'
            $s.AccessToken | Should -BeOfType ([securestring])
            (Get-SbxItem -Path / -Session $s).Path | Should -Be '/'
        }

        It 'takes -AccessToken as a SecureString' {
            $secure = ConvertTo-SecureString -String $agent.Token -AsPlainText -Force
            $s = New-SbxSession -Domain $agent.Domain -AccessToken $secure
            (Get-SbxItem -Path / -Session $s).Type | Should -Be 'Directory'
            # The caller's SecureString is left usable (the session keeps a copy).
            $secure.Length | Should -Be $agent.Token.Length
        }

        It 'takes -Domain and -AccessToken by position' {
            $s = New-SbxSession $agent.Domain $agent.Token
            (Get-SbxItem -Path / -Session $s).Path | Should -Be '/'
        }

        It 'names the session with -Name, else Sandbox<Id>' {
            $named = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token -Name 'my-box'
            $named.Name | Should -Be 'my-box'
            $unnamed = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token
            $unnamed.Name | Should -Be "Sandbox$($unnamed.Id)"
            $unnamed.Id | Should -BeGreaterThan $named.Id
            (Get-SbxSession -Name 'my-box').Id | Should -Be $named.Id
        }

        It 'sets the call deadline from -TimeoutSec' {
            $s = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token -TimeoutSec 7
            $s.TimeoutSec | Should -Be 7
        }

        It 'keeps an explicit http:// scheme for a loopback domain' {
            $s = New-SbxSession -Domain "http://$($agent.Domain)" -AccessToken $agent.Token
            $s.BaseUri | Should -Be ([uri] "http://$($agent.Domain)/")
            (Get-SbxItem -Path / -Session $s).Path | Should -Be '/'
        }
    }

    Context 'binding from the backend''s sandbox object' {
        It 'binds sandbox_id, sandbox_domain and envd_access_token by property name' {
            $s = [pscustomobject]@{ sandbox_id = 'sbx-1'; sandbox_domain = $agent.Domain; envd_access_token = $agent.Token } |
                New-SbxSession
            $s.Name | Should -Be 'sbx-1'
            $s.SandboxId | Should -Be 'sbx-1'
            $s.Domain | Should -Be $agent.Domain
            (Get-SbxItem -Path / -Session $s).Path | Should -Be '/'
        }

        It 'binds from ConvertFrom-Json of the backend''s JSON, ignoring other fields' {
            $json = @{
                sandbox_id        = 'sbx-json'
                template_id       = 'base'
                sandbox_domain    = $agent.Domain
                envd_access_token = $agent.Token
                status            = 'running'
            } | ConvertTo-Json
            $s = $json | ConvertFrom-Json | New-SbxSession
            $s.Name | Should -Be 'sbx-json'
            $s.SandboxId | Should -Be 'sbx-json'
            (Get-SbxChildItem -Path / -Session $s | Measure-Object).Count | Should -BeGreaterThan 0
        }

        It 'prefers -Name over sandbox_id for the session name' {
            $s = [pscustomobject]@{ sandbox_id = 'sbx-2'; sandbox_domain = $agent.Domain; envd_access_token = $agent.Token } |
                New-SbxSession -Name 'chosen'
            $s.Name | Should -Be 'chosen'
            $s.SandboxId | Should -Be 'sbx-2'
        }

        It 'creates one session per piped sandbox object' {
            $sessions = @(
                [pscustomobject]@{ sandbox_id = 'sbx-a'; sandbox_domain = $agent.Domain; envd_access_token = $agent.Token }
                [pscustomobject]@{ sandbox_id = 'sbx-b'; sandbox_domain = $agent.Domain; envd_access_token = $agent.Token }
            ) | New-SbxSession
            $sessions.Name | Should -Be @('sbx-a', 'sbx-b')
            (Get-SbxSession)[-1].Name | Should -Be 'sbx-b'
        }
    }

    Context 'protocols' {
        It 'speaks gRPC over HTTP/2 with -Protocol Grpc' {
            $s = New-SbxSession -Domain $agent.Http2Domain -AccessToken $agent.Token -Protocol Grpc
            $s.Protocol | Should -Be 'Grpc'
            $root = Get-SbxItem -Path / -Session $s
            $root.Path | Should -Be '/'
            $root.Type | Should -Be 'Directory'
            New-Item -ItemType Directory -Path (Join-Path $agent.Home 'over-grpc') | Out-Null
            (Get-SbxChildItem -Session $s).Name | Should -Contain 'over-grpc'
            Test-SbxSession -Session $s | Should -BeTrue
        }
    }

    Context 'the default session' {
        It 'makes the newest session the default' {
            $wrong = New-SbxSession -Domain $agent.Domain -AccessToken 'not-the-token' -Name newest
            (Get-SbxSession)[-1].Name | Should -Be 'newest'
            # Without -Session the cmdlets now use the newest session, with its (wrong) token.
            { Get-SbxItem -Path / } |
                Should -Throw -ErrorId 'Unauthenticated,ScaleBox.Sandbox.Commands.GetSbxItemCommand'
            Remove-SbxSession -Session $wrong
            # Back to the older session once the newest is removed.
            $out = Get-SbxItem -Path / -Verbose 4>&1
            ($out | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message |
                Should -Match "Using session 'main'"
            ($out | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }).Path | Should -Be '/'
        }
    }

    Context 'bad domains' {
        It 'refuses the malformed domain <Domain> with InvalidDomain' -ForEach @(
            @{ Domain = 'exa mple' }
            @{ Domain = 'ftp://x' }
            @{ Domain = 'host/path' }
            @{ Domain = 'https://host/path' }
            @{ Domain = 'https://user@host' }
        ) {
            $before = @(Get-SbxSession).Count
            $out = New-SbxSession -Domain $Domain -AccessToken 'x' -ErrorAction SilentlyContinue -ErrorVariable err
            $out | Should -BeNullOrEmpty
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -Be 'InvalidDomain,ScaleBox.Sandbox.Commands.NewSbxSessionCommand'
            $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err[0].TargetObject | Should -Be $Domain
            $err[0].Exception.Message | Should -BeLike "*$Domain*"
            @(Get-SbxSession).Count | Should -Be $before
        }

        It 'refuses plain http to a host that is not loopback' {
            # Only creates the session: nothing ever contacts that host.
            $out = New-SbxSession -Domain 'http://sbx.example.invalid' -AccessToken 'x' -ErrorAction SilentlyContinue -ErrorVariable err
            $out | Should -BeNullOrEmpty
            $err | Should -HaveCount 1
            $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidDomain,*'
            $err[0].Exception.Message | Should -Match 'unencrypted'
            $err[0].ToString() | Should -Match '-AllowUnencryptedAuthentication' -Because 'a refusal names the parameter that overrides it'
        }

        It 'allows plain http to a remote host with -AllowUnencryptedAuthentication' {
            $s = New-SbxSession -Domain 'http://sbx.example.invalid:8080' -AccessToken 'x' -AllowUnencryptedAuthentication -Name insecure
            try {
                $s.BaseUri | Should -Be ([uri] 'http://sbx.example.invalid:8080/')
                $s.State | Should -Be 'Opened'
            }
            finally {
                # Never leave it as the default: nothing may contact that host.
                Remove-SbxSession -Session $s
            }
        }

        It 'uses https for a remote domain without a scheme' {
            $s = New-SbxSession -Domain 'sbx-abc.example.invalid' -AccessToken 'x' -Name remote
            try {
                $s.BaseUri | Should -Be ([uri] 'https://sbx-abc.example.invalid/')
            }
            finally {
                Remove-SbxSession -Session $s
            }
        }
    }

    Context 'a TLS gateway' {
        BeforeAll {
            $gateway = Start-TestTlsGateway -Upstream $agent.Domain
        }

        AfterAll {
            Stop-TestTlsGateway $gateway
        }

        It 'refuses a certificate nobody trusts, saying it is the certificate' {
            if (-not $gateway) { Set-ItResult -Skipped -Because 'nginx or openssl is not installed'; return }
            $checked = New-SbxSession -Domain $gateway.Domain -AccessToken $agent.Token -TimeoutSec 10 -Name tls-checked
            try {
                $caught = $null
                try { Get-SbxItem -Path / -Session $checked -ErrorAction Stop } catch { $caught = $_ }
                $caught | Should -Not -BeNullOrEmpty
                $caught.CategoryInfo.Category | Should -Be 'ConnectionError'
                $caught.Exception.Message | Should -Match 'TLS handshake with 127\.0\.0\.1:\d+ failed'
                $caught.Exception.Message | Should -Match 'certificate'
            }
            finally {
                Remove-SbxSession -Session $checked
            }
        }

        It 'accepts it with -SkipCertificateCheck, warning each time a session is made' {
            if (-not $gateway) { Set-ItResult -Skipped -Because 'nginx or openssl is not installed'; return }
            foreach ($attempt in 1, 2) {
                $skipping = New-SbxSession -Domain $gateway.Domain -AccessToken $agent.Token -SkipCertificateCheck -Name "tls-skip-$attempt" -WarningVariable warned 3>$null
                try {
                    $warned.Count | Should -Be 1
                    "$($warned[0])" | Should -Match 'does not check the TLS certificate'
                    (Get-SbxItem -Path $agent.Home -Session $skipping).Path | Should -Be $agent.Home
                    Start-SbxProcess -Command 'echo through the gateway' -Session $skipping | Should -Be 'through the gateway'
                }
                finally {
                    Remove-SbxSession -Session $skipping
                }
            }
        }
    }

    Context 'the access token' {
        It 'is saved by Export-Clixml as a SecureString, never as plain text, and the saved session can be made again' {
            $token = 'SbxClixmlTok' + [guid]::NewGuid().ToString('N')
            $tokenAgent = Start-TestAgent -Token $token
            $file = Join-Path ([System.IO.Path]::GetTempPath()) ("sbx-session-$([guid]::NewGuid().ToString('N')).xml")
            try {
                $saved = New-SbxSession -Domain $tokenAgent.Domain -AccessToken $token -Name saved
                $saved | Export-Clixml -LiteralPath $file
                $xml = Get-Content -LiteralPath $file -Raw
                $xml.Contains($token) | Should -BeFalse -Because 'the token is never written as text'
                $xml | Should -Match '<SS N="AccessToken">' -Because 'PowerShell writes a SecureString as such'
                $again = Import-Clixml -LiteralPath $file | New-SbxSession
                Test-SbxPath -Path / -Session $again | Should -BeTrue
                Remove-SbxSession -Session $saved, $again
            }
            finally {
                Remove-Item -LiteralPath $file -ErrorAction SilentlyContinue
                Stop-TestAgent $tokenAgent
            }
        }

        It 'ends with AccessTokenRequired when there is no token and no $env:ENVD_ACCESS_TOKEN' {
            Remove-Item Env:ENVD_ACCESS_TOKEN -ErrorAction SilentlyContinue
            $caught = $null
            try {
                New-SbxSession -Domain $agent.Domain -ErrorAction SilentlyContinue
            }
            catch {
                $caught = $_
            }
            $caught | Should -Not -BeNullOrEmpty -Because 'a missing token ends the cmdlet'
            $caught.FullyQualifiedErrorId | Should -Be 'AccessTokenRequired,ScaleBox.Sandbox.Commands.NewSbxSessionCommand'
            $caught.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $caught.Exception.Message | Should -Match 'ENVD_ACCESS_TOKEN'
        }

        It 'treats an empty -AccessToken as missing' {
            { New-SbxSession -Domain $agent.Domain -AccessToken '' } |
                Should -Throw -ErrorId 'AccessTokenRequired,ScaleBox.Sandbox.Commands.NewSbxSessionCommand'
        }

        It 'takes a token with the line break that a file read whole leaves after it' {
            $file = Join-Path $TestDrive 'token.txt'
            Set-Content -LiteralPath $file -Value $agent.Token   # ends in a line break
            $s = New-SbxSession -Domain $agent.Domain -AccessToken (Get-Content -LiteralPath $file -Raw) -Name from-file
            (Get-SbxItem -Path / -Session $s -ErrorAction Stop).Path | Should -Be '/'
            Copy-SbxItem -ToSandbox -LiteralPath $file -Destination token-copy.txt -Session $s -Force
            Test-Path -LiteralPath (Join-Path $agent.Home 'token-copy.txt') | Should -BeTrue -Because 'the file endpoints take the header too'
        }

        It 'refuses a token with a line break inside with InvalidAccessToken, without showing it' {
            $out = New-SbxSession -Domain $agent.Domain -AccessToken "abc`r`nX-Injected: 1" -ErrorAction SilentlyContinue -ErrorVariable err
            $out | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -Be 'InvalidAccessToken,ScaleBox.Sandbox.Commands.NewSbxSessionCommand'
            $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err[0].Exception.Message | Should -Match 'line break'
            $err[0].ToString() | Should -Not -Match 'Injected'
        }

        It 'falls back to $env:ENVD_ACCESS_TOKEN' {
            try {
                $env:ENVD_ACCESS_TOKEN = $agent.Token
                $s = New-SbxSession -Domain $agent.Domain -Name from-env
            }
            finally {
                Remove-Item Env:ENVD_ACCESS_TOKEN -ErrorAction SilentlyContinue
            }
            # The token was read when the session was made: it keeps working after the variable is gone.
            (Get-SbxItem -Path / -Session $s).Path | Should -Be '/'
        }
    }
}

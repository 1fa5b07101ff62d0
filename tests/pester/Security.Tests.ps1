# Bad input: wrong tokens, unreachable or silent agents, and the token never showing anywhere.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestAgent.ps1')
    # Distinctive, so a leak cannot hide among ordinary text.
    $secret = 'SbxSecretTok' + [guid]::NewGuid().ToString('N')
    $wrongToken = 'SbxWrongTok' + [guid]::NewGuid().ToString('N')
    $agent = Start-TestAgent -Token $secret
    Import-Module (Get-TestModulePath) -Force
    Get-SbxSession | Remove-SbxSession
    $session = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token -Name main
    New-Item -ItemType Directory -Path (Join-Path $agent.Home 'safe') | Out-Null
    Set-Content -LiteralPath (Join-Path $agent.Home 'safe/file.txt') -Value 'x'

    function Assert-NoToken {
        param([Parameter(ValueFromPipeline)] [AllowNull()] [AllowEmptyString()] [string] $Text, [string] $What = 'text')
        process {
            if ($null -ne $Text) {
                $Text.Contains($secret) | Should -BeFalse -Because "the access token must not appear in the $What"
                $Text.Contains($wrongToken) | Should -BeFalse -Because "the wrong token must not appear in the $What"
            }
        }
    }

    function Get-Caught([scriptblock] $Script) {
        try {
            & $Script
        }
        catch {
            return $_
        }
        $null
    }

    # A server that accepts connections and never answers.
    $silent = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $silent.Start()
    $silentDomain = "127.0.0.1:$($silent.LocalEndpoint.Port)"
}

AfterAll {
    Get-SbxSession | Remove-SbxSession
    if ($silent) { $silent.Stop() }
    if ($agent) { Stop-TestAgent $agent }
}

Describe 'Bad input' {
    Context 'a wrong token' {
        BeforeAll {
            $wrong = New-SbxSession -Domain $agent.Domain -AccessToken $wrongToken -Name wrong
            $null = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token -Name main-again
        }
        AfterAll {
            Remove-SbxSession -Name wrong, main-again
        }

        It 'ends the cmdlet with AuthenticationError, naming the domain and neither token' {
            $caught = Get-Caught { Get-SbxItem -Path safe, safe/file.txt -Session $wrong -ErrorAction SilentlyContinue }
            $caught | Should -Not -BeNullOrEmpty -Because 'a wrong token is a terminating error'
            $caught.FullyQualifiedErrorId | Should -Be 'Unauthenticated,ScaleBox.Sandbox.Commands.GetSbxItemCommand'
            $caught.CategoryInfo.Category | Should -Be 'AuthenticationError'
            $caught.Exception.Message | Should -Match ([regex]::Escape($agent.Domain))
            $caught.Exception.Message | Assert-NoToken -What 'message'
            $caught.Exception.ToString() | Assert-NoToken -What 'exception'
            $caught.ErrorDetails.Message | Assert-NoToken -What 'error details'
            $caught.ToString() | Assert-NoToken -What 'error record'
            ($caught | Out-String) | Assert-NoToken -What 'error view'
        }

        It 'ends <Name> with AuthenticationError too' -ForEach @(
            @{ Name = 'Get-SbxChildItem'; Script = { Get-SbxChildItem -Path safe -Session $wrong -ErrorAction SilentlyContinue } }
            @{ Name = 'New-SbxItem'; Script = { New-SbxItem -ItemType Directory -Path safe/new -Session $wrong -ErrorAction SilentlyContinue } }
            @{ Name = 'Move-SbxItem'; Script = { Move-SbxItem -Path safe/file.txt -Destination safe/moved.txt -Session $wrong -ErrorAction SilentlyContinue } }
            @{ Name = 'Remove-SbxItem'; Script = { Remove-SbxItem -Path safe/file.txt -Session $wrong -ErrorAction SilentlyContinue } }
            @{ Name = 'Test-SbxPath'; Script = { Test-SbxPath -Path safe/file.txt -Session $wrong -ErrorAction SilentlyContinue } }
        ) {
            $caught = Get-Caught $Script
            $caught | Should -Not -BeNullOrEmpty
            $caught.CategoryInfo.Category | Should -Be 'AuthenticationError'
            $caught.Exception.ToString() | Assert-NoToken -What 'exception'
            # Nothing changed.
            Test-Path -LiteralPath (Join-Path $agent.Home 'safe/file.txt') | Should -BeTrue
            Test-Path -LiteralPath (Join-Path $agent.Home 'safe/new') | Should -BeFalse
        }

        It 'is not reported as "path not found" by Test-SbxPath' {
            # false would wrongly mean "does not exist"
            $result = $null
            $caught = $null
            try {
                $result = Test-SbxPath -Path safe/file.txt -Session $wrong -ErrorAction SilentlyContinue
            }
            catch {
                $caught = $_
            }
            $result | Should -BeNullOrEmpty
            $caught.CategoryInfo.Category | Should -Be 'AuthenticationError'
        }

        It 'is reported over gRPC (HTTP/2) the same way' {
            $wrongGrpc = New-SbxSession -Domain $agent.Http2Domain -AccessToken $wrongToken -Protocol Grpc -Name wrong-grpc
            try {
                $caught = Get-Caught { Get-SbxItem -Path / -Session $wrongGrpc }
                $caught.CategoryInfo.Category | Should -Be 'AuthenticationError'
                $caught.Exception.Message | Should -Match ([regex]::Escape($agent.Http2Domain))
                $caught.Exception.ToString() | Assert-NoToken -What 'exception'
            }
            finally {
                Remove-SbxSession -Session $wrongGrpc
            }
        }

        It 'keeps the message readable when the token is short' {
            # The message is scrubbed of the token; a one-letter token must not garble every word holding that letter.
            $short = New-SbxSession -Domain $agent.Domain -AccessToken 'e' -Name short
            try {
                $caught = Get-Caught { Get-SbxItem -Path / -Session $short }
                $caught.CategoryInfo.Category | Should -Be 'AuthenticationError'
                $caught.Exception.Message | Should -Match 'rejected the access token'
            }
            finally {
                Remove-SbxSession -Session $short
            }
        }
    }

    Context 'an unreachable or silent agent' {
        It 'ends with ConnectionError, quickly, when nothing listens' {
            $port = Get-ClosedLoopbackPort
            $nowhere = New-SbxSession -Domain "127.0.0.1:$port" -AccessToken $agent.Token -TimeoutSec 5 -Name nowhere
            try {
                $watch = [System.Diagnostics.Stopwatch]::StartNew()
                $caught = Get-Caught { Get-SbxItem -Path a, b -Session $nowhere -ErrorAction SilentlyContinue }
                $watch.Stop()
                $watch.Elapsed.TotalSeconds | Should -BeLessThan $nowhere.TimeoutSec
                $caught | Should -Not -BeNullOrEmpty -Because 'no later path can succeed either'
                $caught.FullyQualifiedErrorId | Should -Be 'Unavailable,ScaleBox.Sandbox.Commands.GetSbxItemCommand'
                $caught.CategoryInfo.Category | Should -Be 'ConnectionError'
                $caught.Exception.Message | Should -Match ([regex]::Escape("127.0.0.1:$port"))
                $caught.Exception.Message | Should -Match 'refused: nothing listens there' -Because 'the cause is said in plain words'
                $caught.Exception.Message | Should -Not -Match 'subchannel'
                $caught.Exception.ToString() | Assert-NoToken -What 'exception'
            }
            finally {
                Remove-SbxSession -Session $nowhere
            }
        }

        It 'says that a server which answers with an HTML 404 is not a sandbox agent, over <Protocol>' -ForEach @(
            @{ Protocol = 'GrpcWeb' }
            @{ Protocol = 'Grpc' }
        ) {
            # Fault injection: a web server that is not an agent (the usual wrong-domain mistake).
            $listener = [System.Net.HttpListener]::new()
            $port = Get-ClosedLoopbackPort
            $listener.Prefixes.Add("http://127.0.0.1:$port/")
            $listener.Start()
            $server = Start-ThreadJob -ArgumentList $listener -ScriptBlock {
                param($listener)
                while ($listener.IsListening) {
                    try {
                        # Not a blocking GetContext: one that starts as the listener stops may never
                        # return (seen on Linux), and Remove-Job would then wait for it for ever.
                        $pending = $listener.GetContextAsync()
                        while (-not $pending.Wait(100)) {
                            if (-not $listener.IsListening) { return }
                        }
                        $context = $pending.Result
                        $page = [System.Text.Encoding]::UTF8.GetBytes('<html><body><h1>404 Not Found</h1></body></html>')
                        $context.Response.StatusCode = 404
                        $context.Response.ContentType = 'text/html'
                        $context.Response.OutputStream.Write($page, 0, $page.Length)
                        $context.Response.Close()
                    }
                    catch { }
                }
            }
            $html = New-SbxSession -Domain "127.0.0.1:$port" -AccessToken $agent.Token -TimeoutSec 5 -Protocol $Protocol -Name html-page
            try {
                $caught = Get-Caught { Get-SbxItem -Path / -Session $html -ErrorAction Stop }
                $caught | Should -Not -BeNullOrEmpty
                $caught.Exception.Message | Should -Match 'not a sandbox agent'
                $caught.Exception.Message | Should -Match ([regex]::Escape("127.0.0.1:$port"))
                $caught.CategoryInfo.Category | Should -Not -Be 'NotSpecified'
            }
            finally {
                Remove-SbxSession -Session $html
                $listener.Stop()
                $server | Remove-Job -Force
            }
        }

        It 'reaches the agent over <Protocol> at its gRPC port too, which speaks HTTP/1.1 as the real agent''s port does' -ForEach @(
            @{ Protocol = 'GrpcWeb' }
            @{ Protocol = 'Connect' }
        ) {
            $atGrpcPort = New-SbxSession -Domain $agent.Http2Domain -AccessToken $agent.Token -TimeoutSec 5 -Protocol $Protocol -Name grpc-port
            try {
                (Get-SbxItem -Path / -Session $atGrpcPort -ErrorAction Stop).Type | Should -Be 'Directory'
            }
            finally {
                Remove-SbxSession -Session $atGrpcPort
            }
        }

        It 'says that a <Protocol> session at the agent''s <Port> port does not reach an agent on its protocol' -ForEach @(
            @{ Protocol = 'Grpc'; Port = 'HTTP/1.1'; Domain = 'Domain' }
        ) {
            # The usual mix-up with the local agent's two ports. A Grpc session at the HTTP/1.1 port
            # gets GOAWAY HTTP_1_1_REQUIRED from Kestrel, which was reported as a bare internal error.
            $wrongPort = New-SbxSession -Domain $agent.$Domain -AccessToken $agent.Token -TimeoutSec 5 -Protocol $Protocol -Name wrong-port
            try {
                $caught = Get-Caught { Get-SbxItem -Path / -Session $wrongPort -ErrorAction Stop }
                $caught | Should -Not -BeNullOrEmpty
                $caught.FullyQualifiedErrorId | Should -Be 'Unavailable,ScaleBox.Sandbox.Commands.GetSbxItemCommand'
                $caught.CategoryInfo.Category | Should -Be 'ConnectionError'
                $caught.Exception.Message | Should -Match 'not a sandbox agent, or not one that speaks this session''s protocol'
                $caught.Exception.Message | Should -Match '-Protocol'
                $caught.Exception.Message | Should -Match ([regex]::Escape($agent.$Domain))
            }
            finally {
                Remove-SbxSession -Session $wrongPort
            }
        }

        It 'says that a plain-http port does not speak TLS when the domain asks for https, over <Protocol>' -ForEach @(
            @{ Protocol = 'GrpcWeb' }
            @{ Protocol = 'Grpc' }
        ) {
            # The handshake's failure said to add a private CA to the trusted roots, which cannot help here.
            $https = New-SbxSession -Domain "https://$($agent.Domain)" -AccessToken $agent.Token -TimeoutSec 5 -Protocol $Protocol -Name https-to-http
            try {
                $caught = Get-Caught { Get-SbxItem -Path / -Session $https -ErrorAction Stop }
                $caught | Should -Not -BeNullOrEmpty
                $caught.CategoryInfo.Category | Should -Be 'ConnectionError'
                $caught.Exception.Message | Should -Match 'does not speak TLS'
                $caught.Exception.Message | Should -Match ([regex]::Escape("http://$($agent.Domain)"))
                $caught.Exception.Message | Should -Not -Match 'private CA'
            }
            finally {
                Remove-SbxSession -Session $https
            }
        }

        It 'ends with OperationTimeout within the session''s -TimeoutSec when the agent never answers' {
            $mute = New-SbxSession -Domain $silentDomain -AccessToken $agent.Token -TimeoutSec 2 -Name mute
            try {
                $watch = [System.Diagnostics.Stopwatch]::StartNew()
                $caught = $null
                try {
                    Get-SbxItem -Path / -Session $mute -ErrorAction SilentlyContinue -ErrorVariable err
                }
                catch {
                    $caught = $_
                }
                $watch.Stop()
                # A timeout is reported per item (a later item might succeed), so it may be non-terminating.
                if ($null -eq $caught) { $caught = $err | Select-Object -First 1 }
                $caught | Should -Not -BeNullOrEmpty
                $caught.FullyQualifiedErrorId | Should -BeLike 'DeadlineExceeded,*'
                $caught.CategoryInfo.Category | Should -Be 'OperationTimeout'
                $caught.Exception.Message | Should -Match ([regex]::Escape($silentDomain))
                $watch.Elapsed.TotalSeconds | Should -BeLessThan ($mute.TimeoutSec + 3)
            }
            finally {
                Remove-SbxSession -Session $mute
            }
        }

        It 'stops a call to an agent that never answers at once when the pipeline is stopped (Ctrl+C)' {
            $mute = New-SbxSession -Domain $silentDomain -AccessToken $agent.Token -TimeoutSec 60 -Name mute-stop
            $modulePath = Get-TestModulePath
            $ps = [powershell]::Create()
            try {
                $null = $ps.AddScript('param($ModulePath, $Session) Import-Module $ModulePath; Get-SbxItem -Path / -Session $Session')
                $null = $ps.AddParameter('ModulePath', $modulePath).AddParameter('Session', $mute)
                $async = $ps.BeginInvoke()
                # Wait until the call is on the wire (the silent server has a connection to accept).
                $deadline = [datetime]::UtcNow.AddSeconds(15)
                while (-not $silent.Pending() -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
                $silent.Pending() | Should -BeTrue -Because 'the call reached the server'
                $ps.InvocationStateInfo.State | Should -Be 'Running'
                $watch = [System.Diagnostics.Stopwatch]::StartNew()
                $ps.Stop()
                $watch.Stop()
                $watch.Elapsed.TotalSeconds | Should -BeLessThan 5
                $ps.InvocationStateInfo.State | Should -Be 'Stopped'
                $async.IsCompleted | Should -BeTrue
            }
            finally {
                $ps.Dispose()
                Remove-SbxSession -Session $mute
                while ($silent.Pending()) { $silent.AcceptTcpClient().Dispose() }
            }
        }

        It 'answers false from Test-SbxSession within -TimeoutSec when the agent never answers' {
            $mute = New-SbxSession -Domain $silentDomain -AccessToken $agent.Token -TimeoutSec 1 -Name mute2
            try {
                $watch = [System.Diagnostics.Stopwatch]::StartNew()
                Test-SbxSession -Session $mute | Should -BeFalse
                $watch.Elapsed.TotalSeconds | Should -BeLessThan ($mute.TimeoutSec + 3)
            }
            finally {
                Remove-SbxSession -Session $mute
            }
        }
    }

    Context 'bad paths' {
        It 'reports a path with a NUL character as InvalidArgument and goes on' {
            $out = Get-SbxItem -Path "sa`0fe", safe -ErrorAction SilentlyContinue -ErrorVariable err
            $out.Name | Should -Be 'safe'
            $err | Should -HaveCount 1
            $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        }

        It 'refuses an empty path before calling the agent' {
            { Get-SbxItem -Path '' } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
            { Remove-SbxItem -Path '' } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        }
    }

    Context 'the token never shows' {
        It 'is not in the session''s views, ToString or JSON' {
            $s = New-SbxSession -Domain $agent.Domain -AccessToken $secret -Name shown
            try {
                ($s | Out-String) | Assert-NoToken -What 'default view'
                ($s | Format-List * -Force | Out-String) | Assert-NoToken -What 'list view'
                ($s | Format-Table * | Out-String) | Assert-NoToken -What 'table view'
                ($s | Select-Object * | Out-String) | Assert-NoToken -What 'Select-Object *'
                $s.ToString() | Assert-NoToken -What 'ToString()'
                "$s" | Assert-NoToken -What 'string expansion'
                ($s | ConvertTo-Json -Depth 3 -WarningAction SilentlyContinue) | Assert-NoToken -What 'JSON'
                ($s | ConvertTo-Json -Depth 6 -WarningAction SilentlyContinue) | Assert-NoToken -What 'deep JSON'
                ($s | ConvertTo-Csv) -join "`n" | Assert-NoToken -What 'CSV'
                ([System.Management.Automation.PSSerializer]::Serialize($s, 3)) | Assert-NoToken -What 'CLIXML'
                ($s | Get-Member -Force | Out-String) | Assert-NoToken -What 'Get-Member'
                $s.AccessToken | Should -BeOfType ([securestring])
            }
            finally {
                Remove-SbxSession -Session $s
            }
        }

        It 'is in no transcript, verbose, debug or error output' {
            # Run in a child PowerShell so the (long) transcribed output stays out of the test log.
            $script = Join-Path $TestDrive 'leak.ps1'
            $transcript = Join-Path $TestDrive 'transcript.txt'
            $errorsFile = Join-Path $TestDrive 'errors.txt'
            Set-Content -LiteralPath $script -Value @'
param([string] $ModulePath, [string] $Domain, [string] $Transcript, [string] $ErrorsFile)
$secret = $env:SBX_LEAK_TOKEN
$wrongToken = $env:SBX_LEAK_WRONG
Remove-Item Env:SBX_LEAK_TOKEN, Env:SBX_LEAK_WRONG
Import-Module $ModulePath
$null = Start-Transcript -LiteralPath $Transcript -Force
try {
    & {
        $VerbosePreference = 'Continue'
        $DebugPreference = 'Continue'
        $s = New-SbxSession -Domain $Domain -AccessToken $secret -Name transcribed -Verbose -Debug
        $s | Format-List * | Out-Host
        $s | Format-Table | Out-Host
        $s.ToString() | Out-Host
        $s | ConvertTo-Json -Depth 3 -WarningAction SilentlyContinue | Out-Host
        Get-SbxSession -Verbose -Debug | Out-Host
        Test-SbxSession -Session $s -Verbose -Debug | Out-Host
        Get-SbxItem -Path safe -Session $s -Verbose -Debug | Format-List * | Out-Host
        Get-SbxChildItem -Path safe -Session $s -Verbose -Debug | Out-Host
        Test-SbxPath -Path safe/file.txt -Session $s -Verbose -Debug | Out-Host
        New-SbxItem -ItemType Directory -Path safe/made -Session $s -Verbose -Debug | Out-Host
        Move-SbxItem -Path safe/made -Destination safe/moved -PassThru -Session $s -Verbose -Debug | Out-Host
        Remove-SbxItem -Path safe/moved -Session $s -Verbose -Debug
        # Failures: missing paths, a wrong token, a bad domain, a removed session.
        Get-SbxItem -Path safe/missing, safe -Session $s -Verbose -Debug -ErrorAction Continue | Out-Host
        Remove-SbxItem -Path safe/missing -Session $s -Verbose -Debug -ErrorAction Continue
        $wrong = New-SbxSession -Domain $Domain -AccessToken $wrongToken -Name wrong-transcribed -Verbose -Debug
        try {
            Get-SbxItem -Path safe -Session $wrong -Verbose -Debug
        }
        catch {
            $_ | Out-Host
            $_ | Format-List * -Force | Out-Host
            $_.Exception | Format-List * -Force | Out-Host
        }
        New-SbxSession -Domain 'exa mple' -AccessToken $secret -Verbose -Debug -ErrorAction Continue
        Remove-SbxSession -Session $wrong -Verbose -Debug
        try {
            Get-SbxItem -Path safe -Session $wrong -Verbose -Debug
        }
        catch {
            $_ | Format-List * -Force | Out-Host
        }
        Remove-SbxSession -Session $s -Verbose -Debug
    } *>&1 | Out-Host
    $Error | Format-List * -Force | Out-Host
    $Error | ForEach-Object { $_.Exception | Format-List * -Force } | Out-Host
}
finally {
    $null = Stop-Transcript
}
# Every error record, as text: the exception with its inner ones, the details, the target.
$Error | ForEach-Object {
    '=== ' + $_.FullyQualifiedErrorId
    $_.Exception.ToString()
    $_.ErrorDetails.Message
    "$($_.TargetObject)"
} | Set-Content -LiteralPath $ErrorsFile
'@
            $pwsh = Get-PwshCommand
            try {
                $env:SBX_LEAK_TOKEN = $secret
                $env:SBX_LEAK_WRONG = $wrongToken
                $modulePath = Get-TestModulePath
                & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File $script `
                    -ModulePath $modulePath -Domain $agent.Domain -Transcript $transcript -ErrorsFile $errorsFile *> $null
            }
            finally {
                Remove-Item Env:SBX_LEAK_TOKEN, Env:SBX_LEAK_WRONG -ErrorAction SilentlyContinue
            }

            $text = Get-Content -LiteralPath $transcript -Raw
            # The transcript did record what happened...
            $text | Should -Match 'transcribed'
            $text | Should -Match 'is now the default' -Because 'verbose messages are transcribed'
            $text | Should -Match 'rejected the access token'
            $text | Should -Match 'Cannot find'
            $text | Should -Match 'has been removed'
            $text | Should -Match 'not a sandbox domain'
            # ...and not the token.
            $text | Assert-NoToken -What 'transcript'

            $errors = Get-Content -LiteralPath $errorsFile -Raw
            ([regex]::Matches($errors, '(?m)^=== ')).Count | Should -BeGreaterOrEqual 5
            $errors | Should -Match 'Unauthenticated'
            $errors | Assert-NoToken -What 'error records'
        }
    }
}

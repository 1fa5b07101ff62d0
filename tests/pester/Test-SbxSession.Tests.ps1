BeforeAll {
    . (Join-Path $PSScriptRoot 'TestAgent.ps1')
    $agent = Start-TestAgent
    Import-Module (Get-TestModulePath) -Force
    Get-SbxSession | Remove-SbxSession
    $closedPort = Get-ClosedLoopbackPort
    # Made first, so it is never the default.
    $nowhere = New-SbxSession -Domain "127.0.0.1:$closedPort" -AccessToken 'unused' -Name nowhere -TimeoutSec 5
    $session = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token -Name main
}

AfterAll {
    Get-SbxSession | Remove-SbxSession
    if ($agent) { Stop-TestAgent $agent }
}

Describe 'Test-SbxSession' {
    It 'is true for the default session against a running agent' {
        $result = Test-SbxSession
        $result | Should -BeOfType ([bool])
        $result | Should -BeTrue
    }

    It 'is true for a session given with -Session, and by position' {
        Test-SbxSession -Session $session | Should -BeTrue
        Test-SbxSession $session | Should -BeTrue
    }

    It 'is true over gRPC (HTTP/2) too' {
        $grpc = New-SbxSession -Domain $agent.Http2Domain -AccessToken $agent.Token -Protocol Grpc -Name grpc
        try {
            Test-SbxSession -Session $grpc | Should -BeTrue
        }
        finally {
            Remove-SbxSession -Session $grpc
        }
    }

    It 'is false, without an error and quickly, when nothing listens at the domain' {
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $result = Test-SbxSession -Session $nowhere -ErrorVariable err
        $watch.Stop()
        $result | Should -BeOfType ([bool])
        $result | Should -BeFalse
        $err | Should -BeNullOrEmpty
        $watch.Elapsed.TotalSeconds | Should -BeLessThan $nowhere.TimeoutSec
    }

    It 'says why in the verbose stream when the agent cannot be reached' {
        $verbose = Test-SbxSession -Session $nowhere -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        $verbose.Message | Should -Match ([regex]::Escape("127.0.0.1:$closedPort"))
    }

    It 'does not need a valid token (health is open)' {
        $wrong = New-SbxSession -Domain $agent.Domain -AccessToken 'not-the-token' -Name wrong
        try {
            Test-SbxSession -Session $wrong | Should -BeTrue
        }
        finally {
            Remove-SbxSession -Session $wrong
        }
    }

    It 'answers once per session from the pipeline, in order' {
        $results = $session, $nowhere, $session | Test-SbxSession
        $results | Should -Be @($true, $false, $true)
    }

    It 'answers once per session given as an array' {
        Test-SbxSession -Session $nowhere, $session | Should -Be @($false, $true)
    }

    It 'is true for every session Get-SbxSession lists, except the unreachable one' {
        $results = Get-SbxSession | ForEach-Object { [pscustomobject]@{ Name = $_.Name; Healthy = Test-SbxSession -Session $_ } }
        ($results | Where-Object Name -EQ 'main').Healthy | Should -BeTrue
        ($results | Where-Object Name -EQ 'nowhere').Healthy | Should -BeFalse
    }

    It 'is false for a removed session' {
        $gone = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token -Name gone
        Remove-SbxSession -Session $gone
        Test-SbxSession -Session $gone -ErrorVariable err | Should -BeFalse
        $err | Should -BeNullOrEmpty
    }
    Context '-Detailed' {
        It 'reports health, its round trip and an accepted token for a running agent' {
            $check = Test-SbxSession -Session $session -Detailed

            $check | Should -BeOfType ([ScaleBox.Sandbox.Client.Transport.SandboxCheck])
            $check.Session | Should -Be 'main'
            $check.Domain | Should -Be $agent.Domain
            $check.Protocol | Should -Be 'GrpcWeb'
            $check.Healthy | Should -BeTrue
            $check.HealthStatus | Should -Be 200
            $check.Latency | Should -BeOfType ([timespan])
            $check.Latency | Should -BeGreaterThan ([timespan]::Zero)
            $check.Authenticated | Should -BeTrue
            $check.Problem | Should -BeNullOrEmpty
        }

        It 'tells a wrong token apart, which the Boolean answer cannot' {
            $wrong = New-SbxSession -Domain $agent.Domain -AccessToken 'not-the-token' -Name wrong
            try {
                $check = Test-SbxSession -Session $wrong -Detailed -ErrorVariable err

                $check.Healthy | Should -BeTrue
                $check.Authenticated | Should -BeFalse
                $check.Problem | Should -Match 'token'
                $err | Should -BeNullOrEmpty
            }
            finally {
                Remove-SbxSession -Session $wrong
            }
        }

        It 'checks the token over gRPC (HTTP/2) too' {
            $grpc = New-SbxSession -Domain $agent.Http2Domain -AccessToken 'not-the-token' -Protocol Grpc -Name grpc-wrong
            try {
                $check = Test-SbxSession -Session $grpc -Detailed
                $check.Protocol | Should -Be 'Grpc'
                $check.Healthy | Should -BeTrue
                $check.Authenticated | Should -BeFalse
            }
            finally {
                Remove-SbxSession -Session $grpc
            }
        }

        It 'says why, without an error, when nothing listens at the domain, and does not try the token' {
            $check = Test-SbxSession -Session $nowhere -Detailed -ErrorVariable err

            $check.Session | Should -Be 'nowhere'
            $check.Healthy | Should -BeFalse
            $check.HealthStatus | Should -BeNullOrEmpty
            $check.Latency | Should -BeNullOrEmpty
            $check.Authenticated | Should -BeNullOrEmpty
            $check.Problem | Should -Match ([regex]::Escape("127.0.0.1:$closedPort"))
            $err | Should -BeNullOrEmpty
        }

        It 'says that a removed session has been removed' {
            $gone = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token -Name gone-detailed
            Remove-SbxSession -Session $gone

            $check = Test-SbxSession -Session $gone -Detailed
            $check.Healthy | Should -BeFalse
            $check.Problem | Should -Match 'removed'
        }

        It 'answers once per piped session, in order, and shows them as a table' {
            $checks = $session, $nowhere | Test-SbxSession -Detailed
            $checks.Session | Should -Be @('main', 'nowhere')

            $table = $checks | Format-Table | Out-String -Width 200
            $table | Should -Match 'Session\s+Domain\s+Healthy\s+Authenticated\s+LatencyMs\s+Problem'
            $table | Should -Match "main\s+$([regex]::Escape($agent.Domain))\s+True\s+True\s+\d"
        }
    }
}

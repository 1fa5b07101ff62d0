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
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestAgent.ps1')
    $savedEnv = @{ Domain = $env:SANDBOX_DOMAIN; Token = $env:ENVD_ACCESS_TOKEN }
    Remove-Item Env:SANDBOX_DOMAIN, Env:ENVD_ACCESS_TOKEN -ErrorAction SilentlyContinue
    $agent = Start-TestAgent
    Import-Module (Get-TestModulePath) -Force
    Get-SbxSession | Remove-SbxSession
    $session = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token -Name main
    New-Item -ItemType Directory -Path (Join-Path $agent.Home 'marker') | Out-Null

    function New-Throwaway([string] $Name) {
        New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token -Name $Name
    }
}

AfterAll {
    Get-SbxSession | Remove-SbxSession
    if ($agent) { Stop-TestAgent $agent }
    $env:SANDBOX_DOMAIN = $savedEnv.Domain
    $env:ENVD_ACCESS_TOKEN = $savedEnv.Token
}

Describe 'Remove-SbxSession' {
    AfterEach {
        Get-SbxSession | Where-Object Name -NE 'main' | Remove-SbxSession
    }

    It 'removes a session given with -Session and closes it' {
        $s = New-Throwaway one
        $out = Remove-SbxSession -Session $s
        $out | Should -BeNullOrEmpty
        (Get-SbxSession).Name | Should -Not -Contain 'one'
        $s.State | Should -Be 'Closed'
    }

    It 'takes a session by its name or Id as the first argument, as every -Session does' {
        $byName = New-Throwaway by-name
        $byId = New-Throwaway by-id
        Remove-SbxSession by-name
        Remove-SbxSession -Session $byId.Id
        (Get-SbxSession).Name | Should -Be @('main')
        $byName.State | Should -Be 'Closed'
        $byId.State | Should -Be 'Closed'
        { Remove-SbxSession no-such-session } | Should -Throw -ExpectedMessage "*No sandbox session is named 'no-such-session'*"
    }

    It 'removes the sessions piped to it' {
        $a = New-Throwaway piped-a
        $b = New-Throwaway piped-b
        $a, $b | Remove-SbxSession
        (Get-SbxSession).Name | Should -Be @('main')
        $a.State | Should -Be 'Closed'
        $b.State | Should -Be 'Closed'
    }

    It 'removes what Get-SbxSession finds' {
        $null = New-Throwaway found-1
        Get-SbxSession -Name found-1 | Remove-SbxSession
        (Get-SbxSession).Name | Should -Not -Contain 'found-1'
    }

    It 'removes sessions by -Name with wildcards, and only those' {
        $null = New-Throwaway wild-1
        $null = New-Throwaway wild-2
        $keep = New-Throwaway keep-me
        Remove-SbxSession -Name 'wild-*'
        (Get-SbxSession).Name | Should -Be @('main', 'keep-me')
        $keep.State | Should -Be 'Opened'
    }

    It 'removes sessions by -Id' {
        $a = New-Throwaway by-id
        $b = New-Throwaway stays
        Remove-SbxSession -Id $a.Id
        (Get-SbxSession).Name | Should -Be @('main', 'stays')
        $a.State | Should -Be 'Closed'
        $b.State | Should -Be 'Opened'
    }

    It 'reports a -Name or -Id that matches no session, and removes the others' {
        $s = New-Throwaway named
        Remove-SbxSession -Name no-such-session, named -ErrorAction SilentlyContinue -ErrorVariable err
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -Be 'SessionNotFound,ScaleBox.Sandbox.Commands.RemoveSbxSessionCommand'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].TargetObject | Should -Be 'no-such-session'
        $s.State | Should -Be 'Closed'
        Remove-SbxSession -Id 99999 -ErrorAction SilentlyContinue -ErrorVariable err
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'SessionNotFound,*'
    }

    It 'removes nothing, without an error, for a wildcard that matches nothing (as Get-SbxSession)' {
        Remove-SbxSession -Name 'no-such-*' -ErrorAction SilentlyContinue -ErrorVariable err
        $err | Should -BeNullOrEmpty
        (Get-SbxSession).Name | Should -Be @('main')
    }

    It 'keeps the session with -WhatIf' {
        $s = New-Throwaway what-if
        Remove-SbxSession -Session $s -WhatIf
        Remove-SbxSession -Name what-if -WhatIf
        Remove-SbxSession -Id $s.Id -WhatIf
        (Get-SbxSession).Name | Should -Contain 'what-if'
        $s.State | Should -Be 'Opened'
        (Get-SbxItem -Path / -Session $s).Path | Should -Be '/'
    }

    It 'makes a removed session unusable: SessionClosed' {
        $s = New-Throwaway closed
        Remove-SbxSession -Session $s
        $caught = $null
        try {
            Get-SbxItem -Path / -Session $s -ErrorAction SilentlyContinue
        }
        catch {
            $caught = $_
        }
        $caught | Should -Not -BeNullOrEmpty
        $caught.FullyQualifiedErrorId | Should -Be 'SessionClosed,ScaleBox.Sandbox.Commands.GetSbxItemCommand'
        $caught.CategoryInfo.Category | Should -Be 'InvalidOperation'
        $caught.Exception.Message | Should -Match "closed"
        { Get-SbxChildItem -Session $s } | Should -Throw -ErrorId 'SessionClosed,*'
        Test-SbxSession -Session $s | Should -BeFalse
    }

    It 'makes the previous session the default again' {
        $wrong = New-SbxSession -Domain $agent.Domain -AccessToken 'wrong-token' -Name wrong
        { Get-SbxItem -Path / } | Should -Throw -ErrorId 'Unauthenticated,*'
        Remove-SbxSession -Session $wrong
        (Get-SbxItem -Path marker).Path | Should -Be (Join-Path $agent.Home 'marker')
    }

    Context 'with no session left' {
        BeforeAll {
            Get-SbxSession | Remove-SbxSession
        }
        AfterAll {
            $session = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token -Name main
        }

        It 'falls back to $env:SANDBOX_DOMAIN and $env:ENVD_ACCESS_TOKEN' {
            (Get-SbxSession) | Should -BeNullOrEmpty
            try {
                $env:SANDBOX_DOMAIN = $agent.Domain
                $env:ENVD_ACCESS_TOKEN = $agent.Token
                (Get-SbxItem -Path marker).Path | Should -Be (Join-Path $agent.Home 'marker')
                (Get-SbxChildItem).Name | Should -Contain 'marker'
                Test-SbxPath -Path marker | Should -BeTrue
                Test-SbxSession | Should -BeTrue
                $verbose = Get-SbxItem -Path / -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
                $verbose.Message | Should -Match 'Environment'
                # The fallback is not a listed session.
                Get-SbxSession | Should -BeNullOrEmpty
            }
            finally {
                Remove-Item Env:SANDBOX_DOMAIN, Env:ENVD_ACCESS_TOKEN -ErrorAction SilentlyContinue
            }
        }

        It 'follows a change of the environment variables' {
            try {
                $env:SANDBOX_DOMAIN = $agent.Domain
                $env:ENVD_ACCESS_TOKEN = 'wrong-token'
                { Get-SbxItem -Path / } | Should -Throw -ErrorId 'Unauthenticated,*'
                $env:ENVD_ACCESS_TOKEN = $agent.Token
                (Get-SbxItem -Path /).Path | Should -Be '/'
            }
            finally {
                Remove-Item Env:SANDBOX_DOMAIN, Env:ENVD_ACCESS_TOKEN -ErrorAction SilentlyContinue
            }
        }

        It 'ends with NoSession when there is neither a session nor the environment' {
            $caught = $null
            try {
                Get-SbxItem -Path / -ErrorAction SilentlyContinue
            }
            catch {
                $caught = $_
            }
            $caught | Should -Not -BeNullOrEmpty
            $caught.FullyQualifiedErrorId | Should -Be 'NoSession,ScaleBox.Sandbox.Commands.GetSbxItemCommand'
            $caught.CategoryInfo.Category | Should -Be 'InvalidOperation'
            $caught.Exception.Message | Should -Match 'New-SbxSession'
            $caught.Exception.Message | Should -Match 'SANDBOX_DOMAIN'
            { Get-SbxChildItem } | Should -Throw -ErrorId 'NoSession,*'
            { Test-SbxPath -Path / } | Should -Throw -ErrorId 'NoSession,*'
            { Test-SbxSession } | Should -Throw -ErrorId 'NoSession,*'
        }

        It 'ends with InvalidEnvironmentSession when $env:SANDBOX_DOMAIN is not a usable domain' {
            try {
                $env:SANDBOX_DOMAIN = 'exa mple'
                $env:ENVD_ACCESS_TOKEN = $agent.Token
                $caught = $null
                try {
                    Get-SbxItem -Path / -ErrorAction SilentlyContinue
                }
                catch {
                    $caught = $_
                }
                $caught.FullyQualifiedErrorId | Should -Be 'InvalidEnvironmentSession,ScaleBox.Sandbox.Commands.GetSbxItemCommand'
                $caught.CategoryInfo.Category | Should -Be 'InvalidArgument'
                # What the user sees (ErrorDetails) names the variable.
                $caught.ToString() | Should -Match 'SANDBOX_DOMAIN'
                $caught.Exception.ToString().Contains($agent.Token) | Should -BeFalse
            }
            finally {
                Remove-Item Env:SANDBOX_DOMAIN, Env:ENVD_ACCESS_TOKEN -ErrorAction SilentlyContinue
            }
        }

        It 'ends with NoSession when only one of the two variables is set' {
            try {
                $env:SANDBOX_DOMAIN = $agent.Domain
                { Get-SbxItem -Path / } | Should -Throw -ErrorId 'NoSession,*'
            }
            finally {
                Remove-Item Env:SANDBOX_DOMAIN -ErrorAction SilentlyContinue
            }
        }
    }
}

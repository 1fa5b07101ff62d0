BeforeAll {
    . (Join-Path $PSScriptRoot 'TestAgent.ps1')
    $savedEnv = @{ Domain = $env:SANDBOX_DOMAIN; Token = $env:ENVD_ACCESS_TOKEN }
    Remove-Item Env:SANDBOX_DOMAIN, Env:ENVD_ACCESS_TOKEN -ErrorAction SilentlyContinue
    $agent = Start-TestAgent
    $modulePath = Get-TestModulePath
    Import-Module $modulePath -Force
    Get-SbxSession | Remove-SbxSession
    $first = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token -Name alpha
    $second = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token -Name beta -TimeoutSec 12
    $third = New-SbxSession -Domain $agent.Http2Domain -AccessToken $agent.Token -Name gamma -Protocol Grpc
    New-Item -ItemType Directory -Path (Join-Path $agent.Home 'marker') | Out-Null
}

AfterAll {
    Get-SbxSession | Remove-SbxSession
    if ($agent) { Stop-TestAgent $agent }
    $env:SANDBOX_DOMAIN = $savedEnv.Domain
    $env:ENVD_ACCESS_TOKEN = $savedEnv.Token
}

Describe 'Get-SbxSession' {
    It 'lists the sessions of the runspace, oldest first' {
        $all = Get-SbxSession
        $all.Name | Should -Be @('alpha', 'beta', 'gamma')
        $all | ForEach-Object { $_ | Should -BeOfType ([ScaleBox.Sandbox.Sessions.SbxSession]) }
        $all[0].Id | Should -BeLessThan $all[1].Id
        $all[1].Id | Should -BeLessThan $all[2].Id
    }

    It 'returns the same objects New-SbxSession returned' {
        $found = Get-SbxSession -Name beta
        [object]::ReferenceEquals($found, $second) | Should -BeTrue
    }

    It 'describes each session' {
        $s = Get-SbxSession -Name beta
        $s.Domain | Should -Be $agent.Domain
        $s.BaseUri | Should -Be ([uri] "http://$($agent.Domain)/")
        $s.TimeoutSec | Should -Be 12
        $s.Protocol | Should -Be 'GrpcWeb'
        $s.State | Should -Be 'Opened'
        $s.CreationTime | Should -BeGreaterThan ([datetime]::Now.AddMinutes(-5))
        (Get-SbxSession -Name gamma).Protocol | Should -Be 'Grpc'
        (Get-SbxSession -Name alpha).TimeoutSec | Should -Be 30
    }

    It 'finds sessions by name, case-insensitively and with wildcards' {
        (Get-SbxSession -Name ALPHA).Id | Should -Be $first.Id
        (Get-SbxSession -Name '*a').Name | Should -Be @('alpha', 'beta', 'gamma')
        (Get-SbxSession -Name 'b*', 'g*').Name | Should -Be @('beta', 'gamma')
        (Get-SbxSession alpha).Id | Should -Be $first.Id
    }

    It 'finds sessions by id' {
        (Get-SbxSession -Id $third.Id, $first.Id).Name | Should -Be @('gamma', 'alpha')
    }

    It 'reports a name that matches nothing, and keeps going' {
        $out = Get-SbxSession -Name nope, alpha -ErrorAction SilentlyContinue -ErrorVariable err
        $out.Name | Should -Be 'alpha'
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -Be 'SessionNotFound,ScaleBox.Sandbox.Commands.GetSbxSessionCommand'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].TargetObject | Should -Be 'nope'
    }

    It 'returns nothing, without an error, for a wildcard that matches nothing' {
        $out = Get-SbxSession -Name 'zz*' -ErrorAction SilentlyContinue -ErrorVariable err
        $out | Should -BeNullOrEmpty
        $err | Should -BeNullOrEmpty
    }

    It 'reports an id that matches nothing' {
        $out = Get-SbxSession -Id 99999 -ErrorAction SilentlyContinue -ErrorVariable err
        $out | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'SessionNotFound,*'
        $err[0].TargetObject | Should -Be 99999
    }

    Context '-Session by name or Id' {
        It 'takes a session''s name or Id wherever a session goes' {
            (Get-SbxItem -Path marker -Session beta).Path | Should -Be (Join-Path $agent.Home 'marker')
            (Get-SbxItem -Path marker -Session GAMMA).Domain | Should -Be $agent.Http2Domain -Because 'names match case-insensitively'
            (Get-SbxItem -Path marker -Session $second.Id).Domain | Should -Be $agent.Domain
            Test-SbxSession -Session alpha, $third.Id | Should -Be @($true, $true)
            Register-SbxWatcher -Path marker -Session gamma -SourceIdentifier by-name
            try { "$((Get-EventSubscriber -SourceIdentifier by-name).SourceObject)" | Should -BeLike "* in $($agent.Http2Domain)" } finally { Unregister-Event -SourceIdentifier by-name }
            Set-Content -LiteralPath (Join-Path $agent.Home 'marker/n.txt') -Value 'n'
            Copy-SbxItem -FromSession alpha -ToSession gamma -Path marker/n.txt -Destination marker/n-copy.txt
            Get-Content -LiteralPath (Join-Path $agent.Home 'marker/n-copy.txt') | Should -Be 'n'
        }

        It 'says which name or Id matches no session, and that a shared name needs the Id' {
            { Get-SbxItem -Path marker -Session nobody -ErrorAction Stop } | Should -Throw -ExpectedMessage "*No sandbox session is named 'nobody'*Get-SbxSession*"
            { Get-SbxItem -Path marker -Session 999 -ErrorAction Stop } | Should -Throw -ExpectedMessage '*No sandbox session has the Id 999*'
            $inParallel = 1 | ForEach-Object -Parallel {
                Import-Module $using:modulePath
                try { Get-SbxItem -Path / -Session alpha -ErrorAction Stop } catch { $_.Exception.Message }
            }
            $inParallel | Should -BeLike "*No sandbox session is named 'alpha' in this runspace*-Session `$using:session*"
            $twin = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token -Name beta
            try {
                { Get-SbxItem -Path marker -Session beta -ErrorAction Stop } |
                    Should -Throw -ExpectedMessage "*2 sandbox sessions are named 'beta' (Ids $($second.Id), $($twin.Id))*"
            }
            finally {
                Remove-SbxSession -Session $twin
            }
        }

        It 'completes session names for -Session' {
            $line = 'Get-SbxItem / -Session b'
            $completions = TabExpansion2 -inputScript $line -cursorColumn $line.Length
            $completions.CompletionMatches.CompletionText | Should -Be 'beta'
        }
    }

    It 'formats as a table with id, name, domain, protocol and state' {
        $text = Get-SbxSession | Out-String
        $text | Should -Match 'Id\s+Name\s+Domain\s+Protocol\s+State'
        $text | Should -Match "beta\s+$([regex]::Escape($agent.Domain))\s+GrpcWeb\s+Opened"
        $text | Should -Match "gamma\s+$([regex]::Escape($agent.Http2Domain))\s+Grpc\s+Opened"
    }

    Context 'per-runspace state' {
        It 'does not share the default session with ForEach-Object -Parallel, but -Session $using:s works there' {
            $s = $first
            $results = 1..2 | ForEach-Object -ThrottleLimit 2 -Parallel {
                Import-Module $using:modulePath
                $noDefault = try { Get-SbxItem -Path / -ErrorAction Stop | Out-Null; 'no error' } catch { $_.FullyQualifiedErrorId }
                [pscustomobject]@{
                    Sessions  = @(Get-SbxSession).Count
                    NoDefault = $noDefault
                    Listed    = @(Get-SbxChildItem -Session $using:s).Name
                }
            }
            $results | Should -HaveCount 2
            foreach ($result in $results) {
                $result.Sessions | Should -Be 0
                $result.NoDefault | Should -BeLike 'NoSession,*'
                $result.Listed | Should -Contain 'marker'
            }
        }

        It 'keeps a session made in a parallel runspace out of this runspace' {
            $domain = $agent.Domain
            $token = $agent.Token
            $made = 1 | ForEach-Object -Parallel {
                Import-Module $using:modulePath
                $null = New-SbxSession -Domain $using:domain -AccessToken $using:token -Name parallel-only
                @(Get-SbxSession).Name
            }
            $made | Should -Be 'parallel-only'
            (Get-SbxSession).Name | Should -Not -Contain 'parallel-only'
            (Get-SbxSession)[-1].Name | Should -Be 'gamma'
        }

        It 'does not share the default session with Start-ThreadJob, but -Session $using:s works there' {
            if (-not (Get-Command Start-ThreadJob -ErrorAction SilentlyContinue)) {
                Set-ItResult -Skipped -Because 'Start-ThreadJob is not available'
                return
            }
            $s = $second
            $result = Start-ThreadJob -ScriptBlock {
                Import-Module $using:modulePath
                $noDefault = try { Get-SbxItem -Path / -ErrorAction Stop | Out-Null; 'no error' } catch { $_.FullyQualifiedErrorId }
                [pscustomobject]@{
                    Sessions  = @(Get-SbxSession).Count
                    NoDefault = $noDefault
                    Item      = (Get-SbxItem -Path marker -Session $using:s).Path
                }
            } | Receive-Job -Wait -AutoRemoveJob
            $result.Sessions | Should -Be 0
            $result.NoDefault | Should -BeLike 'NoSession,*'
            $result.Item | Should -Be (Join-Path $agent.Home 'marker')
        }
    }
}

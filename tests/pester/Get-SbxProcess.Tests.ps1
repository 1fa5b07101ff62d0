BeforeAll {
    . (Join-Path $PSScriptRoot 'TestAgent.ps1')
    $agent = Start-TestAgent
    $modulePath = Get-TestModulePath
    Import-Module $modulePath -Force
    # The newest session is the default, so the plain HTTP/1.1 one is made last.
    $grpc = New-SbxSession -Domain $agent.Http2Domain -AccessToken $agent.Token -Protocol Grpc -Name grpc
    $session = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token -Name main

    $workDir = Join-Path $agent.Home 'wd'
    New-Item -ItemType Directory -Path $workDir | Out-Null
    # Long-lived processes to list; AfterAll kills them.
    $web1 = Start-SbxProcess -Command 'exec sleep 60' -Background -Tag 'web-1' -Environment @{ SBX_ROLE = 'front' } -WorkingDirectory $workDir
    $web2 = Start-SbxProcess -Command 'exec sleep 60' -Background -Tag 'web-2'
    $dup1 = Start-SbxProcess -Command 'exec sleep 60' -Background -Tag 'dup'
    $dup2 = Start-SbxProcess -Command 'exec sleep 60' -Background -Tag 'dup'
    $plain = Start-SbxProcess -FilePath sleep -ArgumentList 60 -Background
    $ended = Start-SbxProcess -Command 'exit 0' -Background -Tag 'ended'
    $null = Wait-SbxProcess -Pid $ended.Pid
}

AfterAll {
    Get-SbxProcess -Session $session -ErrorAction SilentlyContinue | Stop-SbxProcess -Session $session -Force -ErrorAction SilentlyContinue
    Get-SbxSession | Remove-SbxSession
    if ($agent) { Stop-TestAgent $agent }
}

Describe 'Get-SbxProcess' {
    Context 'all' {
        It 'lists the running processes, ordered by pid' {
            $all = @(Get-SbxProcess)
            $all | ForEach-Object { $_ | Should -BeOfType ([ScaleBox.Sandbox.Client.Processes.SandboxProcessInfo]) }
            $pids = @($all.Pid)
            foreach ($p in $web1, $web2, $dup1, $dup2, $plain) {
                $pids | Should -Contain $p.Pid
            }
            $pids | Should -Be @($pids | Sort-Object)
        }

        It 'does not list a process that has ended' {
            @(Get-SbxProcess).Pid | Should -Not -Contain $ended.Pid
        }
    }

    Context '-Pid' {
        It 'returns the process with the configuration it was started with' {
            $found = Get-SbxProcess -Pid $web1.Pid
            $found.Pid | Should -Be $web1.Pid
            $found.Tag | Should -Be 'web-1'
            $found.FileName | Should -Be '/bin/bash'
            $found.Arguments | Should -Be @('-l', '-c', 'exec sleep 60')
            $found.Environment['SBX_ROLE'] | Should -Be 'front'
            $found.WorkingDirectory | Should -Be $workDir
            $found.CommandLine | Should -Be "/bin/bash -l -c 'exec sleep 60'"
            $found.Domain | Should -Be $agent.Domain
        }

        It 'shows no tag for a process started without one' {
            $found = Get-SbxProcess -Pid $plain.Pid
            $found.Tag | Should -BeNullOrEmpty
            $found.FileName | Should -Be 'sleep'
            $found.Arguments | Should -Be @('60')
        }

        It 'takes several pids, positionally or by the Id alias' {
            @(Get-SbxProcess $web1.Pid, $web2.Pid).Tag | Should -Be @('web-1', 'web-2')
            (Get-SbxProcess -Id $web2.Pid).Tag | Should -Be 'web-2'
        }

        It 'takes the pid from the pipeline by property name' {
            $found = [pscustomobject]@{ Pid = $web2.Pid } | Get-SbxProcess
            $found.Tag | Should -Be 'web-2'
            ([pscustomobject]@{ Id = $web1.Pid } | Get-SbxProcess).Tag | Should -Be 'web-1'
        }

        It 'writes a not-found error for an unknown pid, with the pid as target, and goes on' {
            $found = Get-SbxProcess -Pid 4242424, $web1.Pid -ErrorVariable failed -ErrorAction SilentlyContinue
            $found.Pid | Should -Be $web1.Pid
            $failed.Count | Should -Be 1
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'ProcessNotFound,*'
            $failed[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $failed[0].TargetObject | Should -Be 4242424
            $failed[0].Exception.Message | Should -BeLike '*4242424*'
        }

        It 'writes a not-found error for a process that has ended' {
            Get-SbxProcess -Pid $ended.Pid -ErrorVariable failed -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $failed[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        }
    }

    Context '-Tag' {
        It 'finds a process by its tag' {
            (Get-SbxProcess -Tag 'web-2').Pid | Should -Be $web2.Pid
        }

        It 'matches wildcards' {
            @(Get-SbxProcess -Tag 'web-*').Pid | Should -Be @($web1.Pid, $web2.Pid)
            @(Get-SbxProcess -Tag 'w?b-[12]').Pid | Should -Be @($web1.Pid, $web2.Pid)
        }

        It 'matches tags case-sensitively, as the agent selects them' {
            Get-SbxProcess -Tag 'WEB-*' | Should -BeNullOrEmpty
            Get-SbxProcess -Tag 'Web-1' -ErrorVariable failed -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'ProcessNotFound,*'
        }

        It 'returns every process with a tag that is not unique' {
            @(Get-SbxProcess -Tag 'dup').Pid | Should -Be @($dup1.Pid, $dup2.Pid)
        }

        It 'takes several tags' {
            @(Get-SbxProcess -Tag 'web-1', 'dup').Pid | Should -Be @($web1.Pid, $dup1.Pid, $dup2.Pid)
        }

        It 'returns nothing, without an error, for a wildcard that matches nothing' {
            Get-SbxProcess -Tag 'nothing-*' -ErrorVariable failed | Should -BeNullOrEmpty
            $failed | Should -BeNullOrEmpty
        }

        It 'writes a not-found error for an unknown tag, with the tag as target' {
            Get-SbxProcess -Tag 'nope' -ErrorVariable failed -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $failed.Count | Should -Be 1
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'ProcessNotFound,*'
            $failed[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $failed[0].TargetObject | Should -Be 'nope'
        }

        It 'rejects an empty tag' {
            { Get-SbxProcess -Tag '' -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError,ScaleBox.Sandbox.Commands.GetSbxProcessCommand'
        }
    }

    Context 'Grpc protocol' {
        It 'lists the same processes over HTTP/2' {
            @(Get-SbxProcess -Session $grpc -Tag 'web-*').Pid | Should -Be @($web1.Pid, $web2.Pid)
            (Get-SbxProcess -Session $grpc -Pid $dup1.Pid).Domain | Should -Be $agent.Http2Domain
        }
    }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestAgent.ps1')
    $agent = Start-TestAgent
    $modulePath = Get-TestModulePath
    Import-Module $modulePath -Force
    $session = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token -Name main
}

AfterAll {
    Get-SbxSession | Remove-SbxSession
    if ($agent) { Stop-TestAgent $agent }
}

Describe 'New-SbxWatcher' -Tag Smoke {
    It 'returns a watcher with an id, the absolute path and whether it recurses' {
        $folder = Join-Path $agent.Home 'new-watcher'
        New-Item -ItemType Directory -Path $folder | Out-Null

        $w = New-SbxWatcher -Path '~/new-watcher' -Recurse

        $w | Should -BeOfType ([ScaleBox.Sandbox.Client.Watch.SandboxWatcher])
        $w.Id | Should -Not -BeNullOrEmpty
        $w.Path | Should -Be $folder
        $w.Recursive | Should -BeTrue
        ($w | Out-String) | Should -Match ([regex]::Escape($w.Id))
        $w | Remove-SbxWatcher -Confirm:$false
    }

    It 'takes directories from the pipeline' {
        New-Item -ItemType Directory -Path (Join-Path $agent.Home 'piped-a'), (Join-Path $agent.Home 'piped-b') | Out-Null
        $watchers = Get-SbxChildItem -Path $agent.Home | Where-Object Name -like 'piped-*' | New-SbxWatcher
        $watchers | Should -HaveCount 2
        $watchers | Remove-SbxWatcher -Confirm:$false
    }

    It 'makes no watcher with -WhatIf' {
        $folder = Join-Path $agent.Home 'whatif-watcher'
        New-Item -ItemType Directory -Path $folder | Out-Null
        $before = Get-InotifyWatchCount -ProcessId $agent.Process.Id
        $made = New-SbxWatcher -Path $folder -Recurse -WhatIf
        $made | Should -BeNullOrEmpty
        Get-InotifyWatchCount -ProcessId $agent.Process.Id | Should -Be $before
        # A real one changes the count: the check above can see a watcher.
        $w = New-SbxWatcher -Path $folder
        Get-InotifyWatchCount -ProcessId $agent.Process.Id | Should -BeGreaterThan $before
        $w | Remove-SbxWatcher -Confirm:$false
    }

    It 'reports a missing directory and a file clearly' {
        Set-Content -LiteralPath (Join-Path $agent.Home 'not-a-dir.txt') -Value 'x'
        New-SbxWatcher -Path (Join-Path $agent.Home 'nope') -ErrorVariable missing -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $missing[0].FullyQualifiedErrorId | Should -BeLike 'NotFound,*'
        New-SbxWatcher -Path (Join-Path $agent.Home 'not-a-dir.txt') -ErrorVariable file -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $file[0].FullyQualifiedErrorId | Should -BeLike 'InvalidArgument,*'
    }
}

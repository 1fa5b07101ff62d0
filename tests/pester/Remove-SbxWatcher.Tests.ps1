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

Describe 'Remove-SbxWatcher' {
    It 'keeps the watcher with -WhatIf and ends it otherwise' {
        $before = Get-InotifyWatchCount -ProcessId $agent.Process.Id
        $w = New-SbxWatcher -Path $agent.Home
        Get-InotifyWatchCount -ProcessId $agent.Process.Id | Should -BeGreaterThan $before

        $w | Remove-SbxWatcher -WhatIf
        Get-SbxWatcherEvent -Watcher $w -ErrorAction Stop | Out-Null

        $w | Remove-SbxWatcher -Confirm:$false
        Get-SbxWatcherEvent -Watcher $w -ErrorVariable gone -ErrorAction SilentlyContinue
        $gone[0].FullyQualifiedErrorId | Should -BeLike 'NotFound,*'
        Get-InotifyWatchCount -ProcessId $agent.Process.Id | Should -Be $before
    }

    It 'reports a watcher removed twice as NotFound' {
        $w = New-SbxWatcher -Path $agent.Home
        Remove-SbxWatcher $w -Confirm:$false
        Remove-SbxWatcher $w -Confirm:$false -ErrorVariable twice -ErrorAction SilentlyContinue
        $twice[0].FullyQualifiedErrorId | Should -BeLike 'NotFound,*'
        $twice[0].TargetObject | Should -Be $w
    }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestAgent.ps1')
    $agent = Start-TestAgent
    Import-Module (Get-TestModulePath) -Force
    $other = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token -Name other
    $session = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token -Name main
    $first = New-SbxCodeContext -Language bash
    $second = New-SbxCodeContext -Language javascript
}

AfterAll {
    Get-SbxCodeContext -ErrorAction SilentlyContinue | Remove-SbxCodeContext -ErrorAction SilentlyContinue
    Get-SbxSession | Remove-SbxSession
    if ($agent) { Stop-TestAgent $agent }
}

Describe 'Get-SbxCodeContext' -Tag Smoke {
    It 'lists the contexts made through the session, oldest first' {
        (Get-SbxCodeContext).Id | Should -Be @($first.Id, $second.Id)
    }

    It 'filters by id and by language' {
        (Get-SbxCodeContext -Id $second.Id).Language | Should -Be 'javascript'
        (Get-SbxCodeContext -Language bash).Id | Should -Be $first.Id
        (Get-SbxCodeContext -Id ($first.Id.Substring(0, 6) + '*')).Id | Should -Be $first.Id
    }

    It 'knows only the contexts of its session' {
        Get-SbxCodeContext -Session $other | Should -BeNullOrEmpty
    }

    It 'reports an unknown id as CodeContextNotFound' {
        Get-SbxCodeContext -Id 'nope' -ErrorAction SilentlyContinue -ErrorVariable failed | Should -BeNullOrEmpty
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'CodeContextNotFound,*'
        $failed[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}

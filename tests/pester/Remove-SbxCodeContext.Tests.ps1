BeforeAll {
    . (Join-Path $PSScriptRoot 'TestAgent.ps1')
    $agent = Start-TestAgent
    Import-Module (Get-TestModulePath) -Force
    $session = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token -Name main
}

AfterAll {
    Get-SbxCodeContext -ErrorAction SilentlyContinue | Remove-SbxCodeContext -ErrorAction SilentlyContinue
    Get-SbxSession | Remove-SbxSession
    if ($agent) { Stop-TestAgent $agent }
}

Describe 'Remove-SbxCodeContext' {
    It 'shuts the context down: using it afterwards is NotFound, and it is forgotten' {
        $context = New-SbxCodeContext -Language bash
        $null = Invoke-SbxCode 'x=1' -Context $context
        $context | Remove-SbxCodeContext
        Get-SbxCodeContext | Where-Object Id -EQ $context.Id | Should -BeNullOrEmpty
        Invoke-SbxCode 'echo $x' -Context $context -ErrorAction SilentlyContinue -ErrorVariable failed | Should -BeNullOrEmpty
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'NotFound,*'
    }

    It 'takes ids and changes nothing with -WhatIf' {
        $context = New-SbxCodeContext -Language bash
        Remove-SbxCodeContext -Context $context.Id -WhatIf
        Invoke-SbxCode 'echo alive' -Context $context | Should -Be 'alive'
        Remove-SbxCodeContext -Id $context.Id
        Get-SbxCodeContext | Should -BeNullOrEmpty
    }

    It 'reports an unknown context as NotFound and goes on' {
        $context = New-SbxCodeContext -Language bash
        Remove-SbxCodeContext -Context 'nope', $context -ErrorAction SilentlyContinue -ErrorVariable failed
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'NotFound,*'
        Get-SbxCodeContext | Should -BeNullOrEmpty
    }
}

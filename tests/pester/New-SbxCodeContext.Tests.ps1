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

Describe 'New-SbxCodeContext' {
    It 'starts a bash context in a working directory and returns it' {
        $dir = Join-Path $agent.Home 'ctx-dir'
        New-Item -ItemType Directory -Path $dir | Out-Null
        $context = New-SbxCodeContext -Language bash -WorkingDirectory $dir
        $context | Should -BeOfType ([ScaleBox.Sandbox.Client.Code.SandboxCodeContext])
        $context.Id | Should -Not -BeNullOrEmpty
        $context.Language | Should -Be 'bash'
        $context.Cwd | Should -Be $dir
        $context.Domain | Should -Be $agent.Domain
        Invoke-SbxCode 'pwd' -Context $context | Should -Be $dir
    }

    It 'starts no interpreter with -WhatIf' {
        $before = @(Get-SbxCodeContext).Count
        New-SbxCodeContext -Language bash -WhatIf | Should -BeNullOrEmpty
        @(Get-SbxCodeContext).Count | Should -Be $before
    }

    It 'refuses a working directory that does not exist' {
        New-SbxCodeContext -Language bash -WorkingDirectory /no/such/dir -ErrorAction SilentlyContinue -ErrorVariable failed | Should -BeNullOrEmpty
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'InvalidArgument,*'
    }

    It 'names the language and what to install when nothing serves it' {
        New-SbxCodeContext -Language cobol -ErrorAction SilentlyContinue -ErrorVariable failed | Should -BeNullOrEmpty
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'FailedPrecondition,*'
        $failed[0].Exception.Message | Should -Match 'cobol'
    }

    It 'completes a context id for -Context and -Id from the contexts made through the session' {
        $context = New-SbxCodeContext -Language bash
        $prefix = $context.Id.Substring(0, 6)
        foreach ($line in "Invoke-SbxCode pwd -Context $prefix", "Remove-SbxCodeContext -Context $prefix", "Get-SbxCodeContext -Id $prefix") {
            $matches = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches
            $matches.CompletionText | Should -Be @($context.Id) -Because $line
            $matches[0].ToolTip | Should -Be "bash in $($context.Cwd)"
        }
        Remove-SbxCodeContext $context
        $line = "Invoke-SbxCode pwd -Context $prefix"
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches | Should -BeNullOrEmpty
    }

    It 'completes -Language' {
        $line = 'New-SbxCodeContext -Language ja'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('javascript', 'java')
    }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestAgent.ps1')
    $agent = Start-TestAgent
}

AfterAll {
    if ($agent) { Stop-TestAgent $agent }
}

Describe 'examples/demo.ps1, which the README''s first command runs' {
    It 'walks through to its end against the local agent, without an error, and removes what it made' {
        $demo = Join-Path $PSScriptRoot '../../examples/demo.ps1'
        $child = Start-ChildPwsh -ArgumentList '-File', $demo, '-ModulePath', (Get-TestModulePath) `
            -Environment @{ SBX_DEMO_DOMAIN = $agent.Domain; SBX_DEMO_TOKEN = $agent.Token }

        $output = Wait-ChildPwsh $child -TimeoutSec 240

        $child.Error.Result | Should -BeNullOrEmpty
        $output | Should -Match '# Remove what the demo made'
        $output | Should -Match 'demo exists: False'
        Join-Path $agent.Home 'demo' | Should -Not -Exist
    }
}

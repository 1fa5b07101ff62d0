BeforeAll {
    . (Join-Path $PSScriptRoot 'TestAgent.ps1')
    $agent = Start-TestAgent
    Import-Module (Join-Path $PSScriptRoot '../../out/ScaleBox.Sandbox') -Force
    $session = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token -Name main
}

AfterAll {
    Get-SbxSession | Remove-SbxSession
    if ($agent) { Stop-TestAgent $agent }
}

Describe 'New-SbxItem' {
    It 'creates a directory and returns it' {
        $item = New-SbxItem -ItemType Directory -Path made
        $local = Join-Path $agent.Home 'made'
        Test-Path -LiteralPath $local -PathType Container | Should -BeTrue
        $item | Should -BeOfType ([ScaleBox.Sandbox.Client.Files.SandboxItem])
        $item.Name | Should -Be 'made'
        $item.Path | Should -Be $local
        $item.Type | Should -Be 'Directory'
        $item.UnixMode | Should -Be (Get-Item -LiteralPath $local).UnixMode
    }

    It 'creates the parents too' {
        $item = New-SbxItem -ItemType Directory -Path deep/er/est
        Test-Path -LiteralPath (Join-Path $agent.Home 'deep/er/est') -PathType Container | Should -BeTrue
        $item.Path | Should -Be (Join-Path $agent.Home 'deep/er/est')
        @($item) | Should -HaveCount 1
    }

    It 'creates at an absolute path' {
        $target = Join-Path $agent.Home 'absolute/one'
        (New-SbxItem -ItemType Directory -Path $target).Path | Should -Be $target
        Test-Path -LiteralPath $target -PathType Container | Should -BeTrue
    }

    It 'creates several directories, from -Path and from the pipeline' {
        (New-SbxItem -ItemType Directory -Path many/a, many/b).Name | Should -Be @('a', 'b')
        ('many/c', 'many/d' | New-SbxItem -ItemType Directory).Name | Should -Be @('c', 'd')
        (Get-ChildItem -LiteralPath (Join-Path $agent.Home 'many')).Name | Sort-Object | Should -Be @('a', 'b', 'c', 'd')
    }

    It 'accepts -Type as an alias and the item type in any case' {
        (New-SbxItem -Type directory -Path alias-made).Type | Should -Be 'Directory'
    }

    It 'refuses an item type other than Directory' {
        { New-SbxItem -ItemType File -Path not-made } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
        Test-Path -LiteralPath (Join-Path $agent.Home 'not-made') | Should -BeFalse
    }

    It 'reports an existing directory as AlreadyExists (ResourceExists)' {
        New-Item -ItemType Directory -Path (Join-Path $agent.Home 'exists') | Out-Null
        $out = New-SbxItem -ItemType Directory -Path exists -ErrorAction SilentlyContinue -ErrorVariable err
        $out | Should -BeNullOrEmpty
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -Be 'AlreadyExists,ScaleBox.Sandbox.Commands.NewSbxItemCommand'
        $err[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        $err[0].TargetObject | Should -Be 'exists'
    }

    It 'goes on with the next path after an existing one' {
        New-Item -ItemType Directory -Path (Join-Path $agent.Home 'exists2') | Out-Null
        $out = New-SbxItem -ItemType Directory -Path exists2, fresh2 -ErrorAction SilentlyContinue -ErrorVariable err
        $out.Name | Should -Be 'fresh2'
        $err | Should -HaveCount 1
        Test-Path -LiteralPath (Join-Path $agent.Home 'fresh2') -PathType Container | Should -BeTrue
    }

    It 'returns the existing directory with -Force, keeping what it holds' {
        $local = Join-Path $agent.Home 'forced'
        New-Item -ItemType Directory -Path $local | Out-Null
        Set-Content -LiteralPath (Join-Path $local 'kept.txt') -Value 'kept'
        $item = New-SbxItem -ItemType Directory -Path forced -Force -ErrorVariable err
        $err | Should -BeNullOrEmpty
        $item.Path | Should -Be $local
        $item.Type | Should -Be 'Directory'
        Get-Content -LiteralPath (Join-Path $local 'kept.txt') | Should -Be 'kept'
    }

    It 'does not turn an existing file into a directory, even with -Force' {
        $local = Join-Path $agent.Home 'a-file'
        Set-Content -LiteralPath $local -Value 'data'
        $out = New-SbxItem -ItemType Directory -Path a-file -Force -ErrorAction SilentlyContinue -ErrorVariable err
        $out | Should -BeNullOrEmpty
        $err | Should -HaveCount 1
        Test-Path -LiteralPath $local -PathType Leaf | Should -BeTrue
        Get-Content -LiteralPath $local | Should -Be 'data'
    }

    It 'creates nothing and returns nothing with -WhatIf' {
        $out = New-SbxItem -ItemType Directory -Path what/if -WhatIf
        $out | Should -BeNullOrEmpty
        Test-Path -LiteralPath (Join-Path $agent.Home 'what') | Should -BeFalse
    }
}

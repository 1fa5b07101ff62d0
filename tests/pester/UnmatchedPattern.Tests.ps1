# A -Path pattern that matches nothing, cmdlet by cmdlet, next to the FileSystem provider's
# counterpart run on the same folder (the local agent's home is a local folder): Get-Item,
# Get-ChildItem, Copy-Item, Move-Item and Remove-Item pass over it silently, Get-Content reports
# it, Test-Path says False; a missing parent is an error for all of them.
BeforeDiscovery {
    # Cmdlets that take -Path alone, each with its FileSystem counterpart.
    $pathCmdlets = @(
        @{ Sandbox = 'Get-SbxItem'; Local = 'Get-Item' }
        @{ Sandbox = 'Get-SbxChildItem'; Local = 'Get-ChildItem' }
        @{ Sandbox = 'Remove-SbxItem'; Local = 'Remove-Item' }
    )
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestAgent.ps1')
    $agent = Start-TestAgent
    Import-Module (Get-TestModulePath) -Force
    $null = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token
    $dir = Join-Path $agent.Home 'unmatched'
    New-Item -ItemType Directory -Path $dir | Out-Null
    Set-Content -LiteralPath (Join-Path $dir 'kept.txt') -Value 'kept'
    $localTarget = (New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) ('sbx-unmatched-' + [guid]::NewGuid().ToString('N')))).FullName

    # What a command wrote and the errors it reported, run with -ErrorAction SilentlyContinue.
    function Get-Outcome([string] $Command, [hashtable] $Parameters) {
        $errors = $null
        $output = & $Command @Parameters -ErrorAction SilentlyContinue -ErrorVariable errors
        [pscustomobject]@{ Output = @($output); Errors = @($errors) }
    }
}

AfterAll {
    Get-SbxSession | Remove-SbxSession
    if ($agent) { Stop-TestAgent $agent }
    Remove-Item -LiteralPath $localTarget -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'A -Path pattern that matches nothing' {
    It '<Sandbox> is silent, as <Local>' -ForEach $pathCmdlets {
        $sandbox = Get-Outcome $Sandbox @{ Path = 'unmatched/zz*' }
        $local = Get-Outcome $Local @{ Path = (Join-Path $dir 'zz*') }

        $local.Errors | Should -HaveCount 0 -Because 'the provider is the reference'
        $sandbox.Errors | Should -HaveCount 0
        $sandbox.Output | Should -HaveCount 0
        Get-ChildItem -LiteralPath $dir -Name | Should -Be 'kept.txt'
    }

    It 'is silent for Copy-SbxItem -FromSandbox and Move-SbxItem, which copy and move nothing, as Copy-Item and Move-Item' {
        $copy = Get-Outcome Copy-SbxItem @{ Path = 'unmatched/zz*'; Destination = $localTarget; FromSandbox = $true }
        $move = Get-Outcome Move-SbxItem @{ Path = 'unmatched/zz*'; Destination = 'unmatched/moved' }
        $localCopy = Get-Outcome Copy-Item @{ Path = (Join-Path $dir 'zz*'); Destination = $localTarget }

        $localCopy.Errors | Should -HaveCount 0 -Because 'the provider is the reference'
        $copy.Errors + $move.Errors | Should -HaveCount 0
        Get-ChildItem -LiteralPath $localTarget | Should -HaveCount 0
        Get-ChildItem -LiteralPath $dir -Name | Should -Be 'kept.txt'
    }

    It 'leaves the other paths of the same call to go on' {
        $outcome = Get-Outcome Get-SbxItem @{ Path = @('unmatched/zz*', 'unmatched/kept.txt') }

        $outcome.Errors | Should -HaveCount 0
        $outcome.Output.Name | Should -Be 'kept.txt'
    }

    It 'is NotFound for Get-SbxContent, as Get-Content reports it' {
        $sandbox = Get-Outcome Get-SbxContent @{ Path = 'unmatched/zz*' }
        $local = Get-Outcome Get-Content @{ Path = (Join-Path $dir 'zz*') }

        $local.Errors | Should -HaveCount 1 -Because 'the provider is the reference'
        $sandbox.Errors | Should -HaveCount 1
        $sandbox.Errors[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $sandbox.Output | Should -HaveCount 0
    }

    It 'is False for Test-SbxPath, as for Test-Path' {
        Test-Path -Path (Join-Path $dir 'zz*') | Should -BeFalse -Because 'the provider is the reference'
        Test-SbxPath -Path 'unmatched/zz*' | Should -BeFalse
    }

    It 'in a folder that does not exist is NotFound for <Sandbox>, as for <Local>' -ForEach $pathCmdlets {
        $sandbox = Get-Outcome $Sandbox @{ Path = 'unmatched/none/zz*' }
        $local = Get-Outcome $Local @{ Path = (Join-Path $dir 'none/zz*') }

        $local.Errors | Should -HaveCount 1 -Because 'the provider is the reference'
        $sandbox.Errors | Should -HaveCount 1
        $sandbox.Errors[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}

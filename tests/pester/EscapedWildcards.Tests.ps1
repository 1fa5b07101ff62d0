# A name with wildcard characters ("f [1].txt"), reached through -Path with PowerShell's escapes
# ("f `[1`].txt"), next to the FileSystem provider on the same folder (the local agent's home is a
# local folder); and tab completion, which must offer such a name escaped for -Path (or the
# completed text, read as a pattern, names "f 1.txt") and as written for -LiteralPath.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestAgent.ps1')
    $agent = Start-TestAgent
    Import-Module (Get-TestModulePath) -Force
    $null = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token

    function New-BracketFolder([string] $Name) {
        $dir = Join-Path $agent.Home $Name
        New-Item -ItemType Directory -Path (Join-Path $dir 'd [x]') | Out-Null
        Set-Content -LiteralPath (Join-Path $dir 'f [1].txt') -Value 'bracketed'
        Set-Content -LiteralPath (Join-Path $dir 'f 1.txt') -Value 'plain'
        Set-Content -LiteralPath (Join-Path $dir 'd [x]/inner.txt') -Value 'inner'
        $dir
    }
}

AfterAll {
    Get-SbxSession | Remove-SbxSession
    if ($agent) { Stop-TestAgent $agent }
}

Describe 'An escaped -Path' {
    BeforeAll {
        $dir = New-BracketFolder 'escaped'
        $escaped = 'escaped/f `[1`].txt'
    }

    It 'Get-SbxItem finds the item named without the escapes, as Get-Item does' {
        (Get-SbxItem -Path $escaped).Name | Should -Be 'f [1].txt'
        (Get-Item -Path (Join-Path $agent.Home $escaped)).Name | Should -Be 'f [1].txt'
    }

    It 'Get-SbxContent reads it, as Get-Content does' {
        Get-SbxContent -Path $escaped | Should -Be 'bracketed'
        Get-Content -Path (Join-Path $agent.Home $escaped) | Should -Be 'bracketed'
    }

    It 'Test-SbxPath says True, as Test-Path does' {
        Test-SbxPath -Path $escaped | Should -BeTrue
        Test-Path -Path (Join-Path $agent.Home $escaped) | Should -BeTrue
    }

    It 'Get-SbxChildItem lists a folder named with brackets' {
        (Get-SbxChildItem -Path 'escaped/d `[x`]').Name | Should -Be 'inner.txt'
        (Get-ChildItem -Path (Join-Path $agent.Home 'escaped/d `[x`]')).Name | Should -Be 'inner.txt'
    }

    It 'Get-SbxItem reads escapes in the parent folder of a pattern' {
        (Get-SbxItem -Path 'escaped/d `[x`]/*.txt').Name | Should -Be 'inner.txt'
    }

    It 'Remove-SbxItem removes that item and not the one its unescaped text would match' {
        $copy = New-BracketFolder 'escaped-remove'
        Remove-SbxItem -Path 'escaped-remove/f `[1`].txt'
        Test-Path -LiteralPath (Join-Path $copy 'f [1].txt') | Should -BeFalse
        Get-Content -LiteralPath (Join-Path $copy 'f 1.txt') | Should -Be 'plain'
    }

    It 'unescaped, the brackets are a pattern, as for Get-Item' {
        (Get-SbxItem -Path 'escaped/f [1].txt').Name | Should -Be 'f 1.txt'
        (Get-Item -Path (Join-Path $agent.Home 'escaped/f [1].txt')).Name | Should -Be 'f 1.txt'
    }
}

Describe 'Completion of a name with wildcard characters' {
    BeforeAll {
        $null = New-BracketFolder 'complete'
        function Get-Completion([string] $Line) {
            (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches
        }
    }

    It 'offers it escaped for a -Path that takes wildcards' {
        $matches = Get-Completion "Remove-SbxItem -Path 'complete/f ["
        $matches.CompletionText | Should -Be @("'complete/f ``[1``].txt'")
        $matches[0].ListItemText | Should -Be 'f [1].txt'
    }

    It 'reads escapes already typed' {
        (Get-Completion "Get-SbxItem 'complete/f ``[").CompletionText | Should -Be @("'complete/f ``[1``].txt'")
        (Get-Completion "Get-SbxChildItem 'complete/d ``[").CompletionText | Should -Be @("'complete/d ``[x``]'")
    }

    It 'offers it as written for -LiteralPath' {
        (Get-Completion "Remove-SbxItem -LiteralPath 'complete/f [").CompletionText | Should -Be @("'complete/f [1].txt'")
    }

    It 'offers it as written for a -Path that takes no wildcards (New-SbxItem)' {
        (Get-Completion "New-SbxItem -ItemType File -Path 'complete/f [").CompletionText | Should -Be @("'complete/f [1].txt'")
    }

    It 'what it offers for -Path names that item and no other' {
        $text = (Get-Completion "Get-SbxItem -Path 'complete/f [").CompletionText
        (Invoke-Expression "Get-SbxItem -Path $text").Name | Should -Be 'f [1].txt'
    }
}

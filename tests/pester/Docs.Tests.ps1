# Every PowerShell example in the README and the help pages parses, so the docs cannot drift into
# syntax the module's users cannot paste. The ones marked runnable also run: Examples.Tests.ps1.
BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'DocExamples.ps1')
    $exampleCases = @(Get-DocExample | ForEach-Object { @{ Document = $_.Document; Number = $_.Number; Code = $_.Code } })
}

Describe 'Examples in the docs' {
    It 'has examples to check (<Count> found)' -ForEach @(@{ Count = $exampleCases.Count }) {
        $Count | Should -BeGreaterThan 50
    }

    It '<Document> example <Number> parses' -ForEach $exampleCases {
        $tokens = $null
        $errors = $null
        $null = [System.Management.Automation.Language.Parser]::ParseInput($Code, [ref] $tokens, [ref] $errors)
        $errors | ForEach-Object { "$($_.Extent.StartLineNumber): $($_.Message)" } | Should -BeNullOrEmpty -Because "the example is:`n$Code"
    }
}

# Every PowerShell example in the README and the help pages parses, so the docs cannot drift into
# syntax the module's users cannot paste.
BeforeDiscovery {
    $root = Join-Path $PSScriptRoot '../..'
    $documents = @(Get-Item -LiteralPath (Join-Path $root 'README.md')) + @(Get-ChildItem -LiteralPath (Join-Path $root 'docs/en-US') -Filter *.md)
    $exampleCases = foreach ($document in $documents) {
        $text = Get-Content -LiteralPath $document.FullName -Raw
        $number = 0
        foreach ($match in [regex]::Matches($text, '(?ms)^```powershell\r?\n(.*?)^```')) {
            $number++
            @{ Document = $document.Name; Number = $number; Code = $match.Groups[1].Value }
        }
    }
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

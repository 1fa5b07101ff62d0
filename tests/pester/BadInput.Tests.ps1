# Every cmdlet fed with empty, huge, unicode, NUL-bearing and hostile values: each case ends as one
# ErrorRecord with a fitting category, no stack dump and no token.
BeforeDiscovery {
    # Values that name nothing that exists, and nothing that can be created: they sit below a file.
    $script:values = @(
        @{ Kind = 'empty'; Value = '' }
        @{ Kind = 'huge'; Value = '/tmp/' + ('a' * 100000) }
        @{ Kind = 'unicode'; Value = "/etc/passwd/ünïcødé-日本語-$([char]::ConvertFromUtf32(0x1F600))" }
        @{ Kind = 'NUL'; Value = "/tmp/nul`0here" }
        @{ Kind = 'hostile'; Value = "/etc/passwd/../../etc/passwd/`$(id);``whoami``|x`r`nX-Access-Token: injected" }
    )
    $script:cmdlets = @(
        @{ Name = 'Get-SbxItem'; Script = { param($v) Get-SbxItem -LiteralPath $v } }
        @{ Name = 'Get-SbxChildItem'; Script = { param($v) Get-SbxChildItem -LiteralPath $v } }
        @{ Name = 'Get-SbxContent'; Script = { param($v) Get-SbxContent -LiteralPath $v } }
        @{ Name = 'Set-SbxContent'; Script = { param($v) Set-SbxContent -Path $v -Value 'x' -Confirm:$false } }
        @{ Name = 'New-SbxItem'; Script = { param($v) New-SbxItem -Path $v -ItemType Directory -Confirm:$false } }
        @{ Name = 'Move-SbxItem'; Script = { param($v) Move-SbxItem -LiteralPath $v -Destination '/tmp/sbx-bad-input-target' -Confirm:$false } }
        @{ Name = 'Move-SbxItem -Destination'; Script = { param($v) Move-SbxItem -LiteralPath (Join-Path $agent.Home 'safe/file.txt') -Destination $v -Confirm:$false } }
        @{ Name = 'Copy-SbxItem -FromSandbox'; Script = { param($v) Copy-SbxItem -LiteralPath $v -Destination $localTarget -FromSandbox -Confirm:$false } }
        @{ Name = 'Copy-SbxItem -ToSandbox'; Script = { param($v) Copy-SbxItem -LiteralPath $localSource -Destination $v -ToSandbox -Confirm:$false } }
        @{ Name = 'Start-SbxProcess -FilePath'; Script = { param($v) Start-SbxProcess -FilePath $v -AsText } }
        @{ Name = 'Start-SbxProcess -WorkingDirectory'; Script = { param($v) Start-SbxProcess -FilePath true -WorkingDirectory $v -AsText } }
        @{ Name = 'Receive-SbxProcess -Tag'; Script = { param($v) Receive-SbxProcess -Tag $v } }
        @{ Name = 'Stop-SbxProcess -Tag'; Script = { param($v) Stop-SbxProcess -Tag $v -Confirm:$false } }
        @{ Name = 'Wait-SbxProcess -Tag'; Script = { param($v) Wait-SbxProcess -Tag $v } }
        @{ Name = 'Send-SbxProcessInput -Tag'; Script = { param($v) Send-SbxProcessInput -Tag $v -Value 'x' } }
        @{ Name = 'New-SbxSession -Domain'; Script = { param($v) New-SbxSession -Domain $v -AccessToken $agent.Token -Name bad-input } }
    )
    $script:cases = foreach ($cmdlet in $script:cmdlets) {
        foreach ($value in $script:values) {
            @{ Name = $cmdlet.Name; Script = $cmdlet.Script; Kind = $value.Kind; Value = $value.Value }
        }
    }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestAgent.ps1')
    $agent = Start-TestAgent -Token ('SbxBadInputTok' + [guid]::NewGuid().ToString('N'))
    Import-Module (Get-TestModulePath) -Force
    Get-SbxSession | Remove-SbxSession
    $null = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token -Name main
    New-Item -ItemType Directory -Path (Join-Path $agent.Home 'safe') | Out-Null
    Set-Content -LiteralPath (Join-Path $agent.Home 'safe/file.txt') -Value 'x'
    $localRoot = (New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) ('sbx-bad-input-' + [guid]::NewGuid().ToString('N').Substring(0, 8)))).FullName
    $localSource = Join-Path $localRoot 'source.txt'
    Set-Content -LiteralPath $localSource -Value 'local'
    $localTarget = Join-Path $localRoot 'target.txt'

    # Every ErrorRecord one call produced: the ones it wrote, and the one it threw.
    function Get-ErrorRecords([scriptblock] $Script, $Value) {
        $ErrorActionPreference = 'Continue'
        $records = [System.Collections.Generic.List[System.Management.Automation.ErrorRecord]]::new()
        try {
            foreach ($item in (& $Script $Value 2>&1)) {
                if ($item -is [System.Management.Automation.ErrorRecord]) { $records.Add($item) }
            }
        }
        catch {
            $records.Add($_)
        }
        , $records
    }
}

AfterAll {
    Get-SbxSession | Remove-SbxSession
    if ($agent) { Stop-TestAgent $agent }
    if ($localRoot) { Remove-Item -LiteralPath $localRoot -Recurse -Force -ErrorAction SilentlyContinue }
}

Describe 'Cmdlets fed bad values' {
    It '<Name> with a <Kind> value ends as one ErrorRecord with a fitting category, no stack dump and no token' -TestCases $cases {
        $records = Get-ErrorRecords $Script $Value

        $records.Count | Should -Be 1 -Because "one bad value is one error ($(($records | ForEach-Object { $_.FullyQualifiedErrorId }) -join '; '))"
        $record = $records[0]
        $record.CategoryInfo.Category | Should -Not -Be 'NotSpecified' -Because "'$($record.FullyQualifiedErrorId)' should say what kind of failure it is"
        $record.FullyQualifiedErrorId | Should -Not -BeNullOrEmpty
        $text = "$record $($record.Exception.Message) $($record.ErrorDetails)"
        $text | Should -Not -Match '\n\s+at [\w.`<>]+\(' -Because 'a stack dump is no error message'
        $text.Contains($agent.Token) | Should -BeFalse -Because 'the access token never appears in an error'
        "$record".Length | Should -BeLessThan 2000 -Because 'a huge value is not echoed back whole'
    }
}

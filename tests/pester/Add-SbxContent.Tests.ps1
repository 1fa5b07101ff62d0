BeforeAll {
    . (Join-Path $PSScriptRoot 'TestAgent.ps1')
    $agent = Start-TestAgent
    Import-Module (Get-TestModulePath) -Force
    $session = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token -Name main

    function Get-RemoteText([string] $Path) {
        [System.IO.File]::ReadAllText((Join-Path $agent.Home $Path))
    }

    function New-RemoteText([string] $Path, [string] $Text) {
        $full = Join-Path $agent.Home $Path
        New-Item -ItemType Directory -Path (Split-Path -Parent $full) -Force | Out-Null
        [System.IO.File]::WriteAllText($full, $Text)
    }
}

AfterAll {
    try {
        Get-SbxSession | Remove-SbxSession
    }
    finally {
        if ($agent) { Stop-TestAgent $agent }
    }
}

Describe 'Add-SbxContent' {
    It 'adds lines to the end of an existing file, each ending in LF' {
        New-RemoteText 'add/log.txt' "first`n"
        Add-SbxContent -Path add/log.txt -Value 'second', 'third'
        Get-RemoteText 'add/log.txt' | Should -BeExactly "first`nsecond`nthird`n"
    }

    It 'adds what comes from the pipeline, after earlier appends, in order' {
        New-RemoteText 'add/numbers.txt' ''
        1..3 | Add-SbxContent -Path add/numbers.txt
        4..5 | Add-SbxContent -Path add/numbers.txt
        Get-RemoteText 'add/numbers.txt' | Should -BeExactly "1`n2`n3`n4`n5`n"
    }

    It 'creates a missing file and its parents' {
        Add-SbxContent -Path add/new/dir/file.txt -Value 'hello'
        Get-RemoteText 'add/new/dir/file.txt' | Should -BeExactly "hello`n"
    }

    It 'adds bytes with -AsByteStream and text without newline with -NoNewline' {
        New-RemoteText 'add/bytes.bin' 'ab'
        Add-SbxContent -Path add/bytes.bin -Value ([byte[]](0x63, 0x64)) -AsByteStream
        Add-SbxContent -Path add/bytes.bin -Value 'e', 'f' -NoNewline
        Get-RemoteText 'add/bytes.bin' | Should -BeExactly 'abcdef'
    }

    It 'handles paths with spaces, quotes and dollar signs as written' {
        $name = "add/it's a `$HOME file.txt"
        New-RemoteText $name "x`n"
        Add-SbxContent -Path $name -Value 'y'
        Get-RemoteText $name | Should -BeExactly "x`ny`n"
    }

    It 'adds text exactly as written, whatever the shell would make of it, below, at and above the size sent inside the command' {
        # Up to 64 KiB of UTF-8 text travels inside the append command; larger or other content is uploaded first.
        $tricky = "-n %s %% \\n `$HOME `$(id) ``whoami`` 'single' `"double`" é 日本 🙂`r`n`ttab"
        $cases = @(
            @{ Name = 'tricky'; Value = $tricky; Encoding = 'utf8NoBOM' }
            @{ Name = 'at-limit'; Value = 'x' * (64KB - 1); Encoding = 'utf8NoBOM' }
            @{ Name = 'above-limit'; Value = 'y' * (64KB + 1); Encoding = 'utf8NoBOM' }
            @{ Name = 'nul'; Value = "a`0b"; Encoding = 'utf8NoBOM' }
            @{ Name = 'utf16'; Value = 'wide é'; Encoding = 'unicode' }
        )
        foreach ($case in $cases) {
            $path = "add/exact-$($case.Name).txt"
            New-RemoteText $path "before`n"
            Add-SbxContent -Path $path -Value $case.Value -Encoding $case.Encoding
            # UTF-16 without its byte order mark, which does not go into the middle of a file.
            $encoding = if ($case.Encoding -eq 'unicode') { [System.Text.Encoding]::Unicode } else { [System.Text.UTF8Encoding]::new($false) }
            $expected = [System.Text.Encoding]::UTF8.GetBytes("before`n") + $encoding.GetBytes($case.Value + "`n")
            [System.IO.File]::ReadAllBytes((Join-Path $agent.Home $path)) | Should -Be $expected -Because "the $($case.Name) text is added as written"
        }
    }

    It 'starts only a new or empty file with the byte order mark of -Encoding, as Add-Content does' {
        # utf8BOM text goes inside the command, UTF-16 through an upload: both ways alike.
        foreach ($name in 'utf8BOM', 'unicode') {
            $encoding = [System.Text.Encoding]::GetEncoding($(if ($name -eq 'unicode') { 'utf-16' } else { 'utf-8' }))
            $bom = $encoding.GetPreamble()
            New-RemoteText "add/bom-empty-$name.txt" ''
            foreach ($path in "add/bom-new-$name.txt", "add/bom-empty-$name.txt") {
                Add-SbxContent -Path $path -Value 'a' -Encoding $name
                Add-SbxContent -Path $path -Value 'b' -Encoding $name
                [System.IO.File]::ReadAllBytes((Join-Path $agent.Home $path)) | Should -Be ($bom + $encoding.GetBytes("a`nb`n")) -Because "$path starts with one mark"
            }
        }
    }

    It 'adds bytes that are not UTF-8 text unchanged' {
        New-RemoteText 'add/raw.bin' ''
        $bytes = [byte[]](0xff, 0xfe, 0x80, 0x41, 0xc3)
        Add-SbxContent -Path add/raw.bin -Value $bytes -AsByteStream
        [System.IO.File]::ReadAllBytes((Join-Path $agent.Home 'add/raw.bin')) | Should -Be $bytes
    }

    It 'creates a file with nothing added when the content is empty' {
        Add-SbxContent -Path add/empty.txt -Value @() -AsByteStream
        (Get-Item -LiteralPath (Join-Path $agent.Home 'add/empty.txt')).Length | Should -Be 0
    }

    It 'returns the file with -PassThru' {
        New-RemoteText 'add/pass.txt' "a`n"
        $item = Add-SbxContent -Path add/pass.txt -Value 'b' -PassThru
        $item.Path | Should -Be (Join-Path $agent.Home 'add/pass.txt')
        $item.Length | Should -Be 4
    }

    It 'changes nothing with -WhatIf' {
        New-RemoteText 'add/whatif.txt' "keep`n"
        Add-SbxContent -Path add/whatif.txt -Value 'more' -WhatIf
        Get-RemoteText 'add/whatif.txt' | Should -BeExactly "keep`n"
    }

    It 'reports a directory as InvalidArgument and leaves no staging file behind' {
        New-Item -ItemType Directory -Path (Join-Path $agent.Home 'add/a-dir') -Force | Out-Null
        Add-SbxContent -Path add/a-dir -Value 'x' -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed | Should -HaveCount 1
        $failed[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $failed[0].TargetObject | Should -BeLike '*add/a-dir'
        Get-ChildItem -LiteralPath (Join-Path $agent.Home 'add') -Force | Where-Object Name -Like '.*.sbxpart-*' | Should -BeNullOrEmpty
    }
}

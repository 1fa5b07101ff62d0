BeforeAll {
    . (Join-Path $PSScriptRoot 'TestAgent.ps1')
    $agent = Start-TestAgent
    Import-Module (Get-TestModulePath) -Force
    $session = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token -Name main

    function Get-RemoteBytes([string] $Path) {
        # One byte per object, so that `Get-RemoteBytes x | Should -Be $bytes` compares the bytes.
        [System.IO.File]::ReadAllBytes((Join-Path $agent.Home $Path))
    }

    function Get-Utf8Bytes([string] $Text) {
        , [System.Text.UTF8Encoding]::new($false).GetBytes($Text)
    }

    function Test-Remote([string] $Path) {
        Test-Path -LiteralPath (Join-Path $agent.Home $Path)
    }

    function New-RemoteText([string] $Path, [string] $Text) {
        $full = Join-Path $agent.Home $Path
        $parent = Split-Path -Parent $full
        if (-not (Test-Path -LiteralPath $parent)) { New-Item -ItemType Directory -Path $parent -Force | Out-Null }
        [System.IO.File]::WriteAllText($full, $Text)
    }

    function Get-StagingFile([string] $Root) {
        Get-ChildItem -LiteralPath $Root -Recurse -Force -ErrorAction SilentlyContinue | Where-Object Name -Like '.*.sbxpart-*'
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

Describe 'Set-SbxContent' -Tag Smoke {
    Context 'text' {
        It 'writes each value as a line that ends in LF' {
            $out = Set-SbxContent -Path text/values.txt -Value 'a', 'b'
            $out | Should -BeNullOrEmpty
            Get-RemoteBytes text/values.txt | Should -Be ([byte[]](0x61, 0x0A, 0x62, 0x0A))
        }

        It 'writes the values from the pipeline' {
            'x', 'y' | Set-SbxContent text/piped.txt
            Get-RemoteBytes text/piped.txt | Should -Be ([byte[]](0x78, 0x0A, 0x79, 0x0A))
        }

        It 'writes many lines from the pipeline in order' {
            1..5000 | ForEach-Object { "line $_" } | Set-SbxContent text/many.txt
            $expected = ((1..5000 | ForEach-Object { "line $_" }) -join "`n") + "`n"
            [System.IO.File]::ReadAllText((Join-Path $agent.Home 'text/many.txt')) | Should -BeExactly $expected
        }

        It 'ends lines in LF even when a value holds CRLF' {
            Set-SbxContent text/crlf.txt -Value "one`r`ntwo"
            Get-RemoteBytes text/crlf.txt | Should -Be (Get-Utf8Bytes "one`r`ntwo`n")
        }

        It 'converts values to strings and writes a null as an empty line' {
            Set-SbxContent text/objects.txt -Value 42, $true, $null, 'end'
            [System.IO.File]::ReadAllText((Join-Path $agent.Home 'text/objects.txt')) | Should -BeExactly "42`nTrue`n`nend`n"
        }

        It 'writes objects as Set-Content does, a [pscustomobject] as @{...}' {
            $values = @([pscustomobject]@{ Name = 'x'; Id = 1 }, (Get-Date '2026-12-05T10:00:00'), 1.5, @{ a = 1 })
            $values | Set-SbxContent text/pscustom.txt
            $local = Join-Path ([IO.Path]::GetTempPath()) ('sbx-setcontent-' + [guid]::NewGuid().ToString('N'))
            try {
                $values | Set-Content -LiteralPath $local
                [System.IO.File]::ReadAllText((Join-Path $agent.Home 'text/pscustom.txt')) | Should -BeExactly ([System.IO.File]::ReadAllText($local))
                Get-SbxContent text/pscustom.txt -TotalCount 1 | Should -BeExactly '@{Name=x; Id=1}'
            }
            finally {
                Remove-Item -LiteralPath $local -ErrorAction SilentlyContinue
            }
        }

        It 'writes the values one after the other with -NoNewline' {
            Set-SbxContent text/nonewline.txt -Value 'a', 'b', 'c' -NoNewline
            Get-RemoteBytes text/nonewline.txt | Should -Be ([byte[]](0x61, 0x62, 0x63))
        }

        It 'writes an empty file for no values' {
            Set-SbxContent text/empty.txt -Value @()
            Test-Remote text/empty.txt | Should -BeTrue
            (Get-Item -LiteralPath (Join-Path $agent.Home 'text/empty.txt')).Length | Should -Be 0
        }

        It 'encodes as UTF-8 without a byte order mark by default' {
            Set-SbxContent text/utf8.txt -Value 'héllo ✓ 文字 😀'
            Get-RemoteBytes text/utf8.txt | Should -Be (Get-Utf8Bytes "héllo ✓ 文字 😀`n")
        }

        It 'encodes with -Encoding <Name>' -ForEach @(
            @{ Name = 'utf8'; Expected = [byte[]](0xC3, 0xA9, 0x0A) }
            @{ Name = 'utf8BOM'; Expected = [byte[]](0xEF, 0xBB, 0xBF, 0xC3, 0xA9, 0x0A) }
            @{ Name = 'unicode'; Expected = [byte[]](0xFF, 0xFE, 0xE9, 0x00, 0x0A, 0x00) }
            @{ Name = 'latin1'; Expected = [byte[]](0xE9, 0x0A) }
        ) {
            Set-SbxContent "enc/$Name.txt" -Value 'é' -Encoding $Name
            Get-RemoteBytes "enc/$Name.txt" | Should -Be $Expected
        }

        It 'reads back what it wrote with Get-SbxContent -Encoding unicode' {
            Set-SbxContent enc/roundtrip.txt -Value 'héllo', 'wörld' -Encoding unicode
            Get-SbxContent enc/roundtrip.txt -Encoding unicode | Should -Be @('héllo', 'wörld')
        }

        It 'refuses an unknown encoding (InvalidEncoding) and writes nothing' {
            { Set-SbxContent enc/bad.txt -Value 'x' -Encoding no-such-encoding } | Should -Throw -ErrorId 'InvalidEncoding,*'
            Test-Remote enc/bad.txt | Should -BeFalse
        }
    }

    Context 'bytes' {
        It 'writes a byte array as it is with -AsByteStream' {
            $bytes = [byte[]](0, 1, 2, 0x0A, 0x0D, 0x7F, 0x80, 0xFF)
            Set-SbxContent bytes/array.bin -Value $bytes -AsByteStream
            Get-RemoteBytes bytes/array.bin | Should -Be $bytes
        }

        It 'writes bytes from the pipeline, one at a time or as arrays' {
            [byte[]](5, 6, 7) | Set-SbxContent bytes/piped.bin -AsByteStream
            Get-RemoteBytes bytes/piped.bin | Should -Be ([byte[]](5, 6, 7))

            $random = [byte[]]::new(1MB + 3)
            [System.Random]::new(11).NextBytes($random)
            , $random | Set-SbxContent bytes/random.bin -AsByteStream
            $written = [System.IO.File]::ReadAllBytes((Join-Path $agent.Home 'bytes/random.bin'))
            $written.Length | Should -Be $random.Length
            [System.Convert]::ToHexString([System.Security.Cryptography.SHA256]::HashData($written)) |
                Should -Be ([System.Convert]::ToHexString([System.Security.Cryptography.SHA256]::HashData($random)))
        }

        It 'writes the bytes Get-SbxContent -AsByteStream -Raw returns' {
            $all = [byte[]](0..255)
            Set-SbxContent bytes/all.bin -Value $all -AsByteStream
            Get-SbxContent bytes/all.bin -AsByteStream -Raw | Set-SbxContent bytes/copy.bin -AsByteStream
            Get-RemoteBytes bytes/copy.bin | Should -Be $all
        }

        It 'refuses a value that is not a byte with -AsByteStream (NotBytes) and writes nothing' {
            { Set-SbxContent bytes/text.bin -Value 'text' -AsByteStream } | Should -Throw -ErrorId 'NotBytes,*'
            Test-Remote bytes/text.bin | Should -BeFalse

            New-RemoteText 'bytes/kept.bin' 'kept'
            $caught = $null
            try {
                [byte]1, [byte]2, 'three' | Set-SbxContent bytes/kept.bin -AsByteStream
            }
            catch {
                $caught = $_
            }
            $caught | Should -Not -BeNullOrEmpty
            $caught.FullyQualifiedErrorId | Should -Be 'NotBytes,ScaleBox.Sandbox.Commands.SetSbxContentCommand'
            $caught.CategoryInfo.Category | Should -Be 'InvalidType'
            Get-Content -LiteralPath (Join-Path $agent.Home 'bytes/kept.bin') -Raw | Should -Be 'kept'
        }
    }

    Context 'files' {
        It 'creates the parent directories' {
            Set-SbxContent -Path deep/er/est/file.txt -Value 'deep'
            Get-Content -LiteralPath (Join-Path $agent.Home 'deep/er/est/file.txt') | Should -Be 'deep'
        }

        It 'replaces the content of an existing file' {
            New-RemoteText 'files/replace.txt' ('long old content ' * 100)
            Set-SbxContent files/replace.txt -Value 'short'
            Get-RemoteBytes files/replace.txt | Should -Be (Get-Utf8Bytes "short`n")
        }

        It 'writes to an absolute path' {
            $target = Join-Path $agent.Home 'files/absolute.txt'
            Set-SbxContent -Path $target -Value 'absolute'
            Get-Content -LiteralPath $target | Should -Be 'absolute'
        }

        It 'takes a path as written, without wildcards' {
            New-RemoteText 'files/w1.txt' 'untouched'
            Set-SbxContent -Path 'files/w[1].txt' -Value 'bracket'
            Get-RemoteBytes 'files/w[1].txt' | Should -Be (Get-Utf8Bytes "bracket`n")
            Get-Content -LiteralPath (Join-Path $agent.Home 'files/w1.txt') -Raw | Should -Be 'untouched'
        }

        It 'writes the same content to every path' {
            'same' | Set-SbxContent -Path files/one.txt, files/two.txt
            Get-RemoteBytes files/one.txt | Should -Be (Get-Utf8Bytes "same`n")
            Get-RemoteBytes files/two.txt | Should -Be (Get-Utf8Bytes "same`n")
        }

        It 'returns the written file with -PassThru' {
            $out = Set-SbxContent files/passthru.txt -Value 'abc' -PassThru
            $out | Should -HaveCount 1
            $out | Should -BeOfType ([ScaleBox.Sandbox.Client.Files.SandboxItem])
            $out.Path | Should -Be (Join-Path $agent.Home 'files/passthru.txt')
            $out.Type | Should -Be 'File'
            $out.Length | Should -Be 4
        }

        It 'writes nothing and returns nothing with -WhatIf' {
            New-RemoteText 'files/whatif-kept.txt' 'kept'
            Set-SbxContent files/whatif.txt, files/whatif-kept.txt -Value 'new' -WhatIf -PassThru | Should -BeNullOrEmpty
            Test-Remote files/whatif.txt | Should -BeFalse
            Get-Content -LiteralPath (Join-Path $agent.Home 'files/whatif-kept.txt') -Raw | Should -Be 'kept'
        }

        It 'rewrites a file it reads in the same pipeline' {
            New-RemoteText 'files/upper.txt' "one`ntwo`n"
            Get-SbxContent files/upper.txt | ForEach-Object ToUpper | Set-SbxContent files/upper.txt
            Get-RemoteBytes files/upper.txt | Should -Be (Get-Utf8Bytes "ONE`nTWO`n")
        }

        It 'reports a directory as InvalidArgument, leaves it alone and goes on with the next path' {
            New-RemoteText 'files/dir/inner.txt' 'inner'
            Set-SbxContent -Path files/dir, files/after-dir.txt -Value 'x' -ErrorAction SilentlyContinue -ErrorVariable err
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -Be 'InvalidArgument,ScaleBox.Sandbox.Commands.SetSbxContentCommand'
            $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err[0].TargetObject | Should -Be 'files/dir'
            Test-Path -LiteralPath (Join-Path $agent.Home 'files/dir') -PathType Container | Should -BeTrue
            Get-Content -LiteralPath (Join-Path $agent.Home 'files/dir/inner.txt') -Raw | Should -Be 'inner'
            Get-RemoteBytes files/after-dir.txt | Should -Be (Get-Utf8Bytes "x`n")
        }

        It 'leaves no staging file in the sandbox' {
            Get-StagingFile $agent.Home | Should -BeNullOrEmpty
        }
    }

    Context 'the local temporary file' {
        BeforeAll {
            # A private temporary folder, so that other processes' files cannot interfere.
            $tempFolder = Join-Path ([System.IO.Path]::GetTempPath()) ('sbx-settemp-' + [guid]::NewGuid().ToString('N').Substring(0, 12))
            New-Item -ItemType Directory -Path $tempFolder | Out-Null
            $savedTemp = @{ TMPDIR = $env:TMPDIR; TMP = $env:TMP; TEMP = $env:TEMP }
            $env:TMPDIR = $tempFolder
            $env:TMP = $tempFolder
            $env:TEMP = $tempFolder

            function Get-Spool { @(Get-ChildItem -LiteralPath $tempFolder -Force -Filter 'sbx-content-*') }
        }

        AfterAll {
            foreach ($name in $savedTemp.Keys) {
                if ($null -eq $savedTemp[$name]) {
                    Remove-Item -Path "env:$name" -ErrorAction SilentlyContinue
                }
                else {
                    Set-Item -Path "env:$name" -Value $savedTemp[$name]
                }
            }
            Remove-Item -LiteralPath $tempFolder -Recurse -Force -ErrorAction SilentlyContinue
        }

        It 'spools the input to a temporary file and deletes it afterwards' {
            [System.IO.Path]::GetTempPath().TrimEnd('/', '\') | Should -Be $tempFolder.TrimEnd('/', '\')
            $script:seen = $null
            & { 'first'; $script:seen = (Get-Spool).Count; 'second' } | Set-SbxContent temp/spooled.txt
            $script:seen | Should -Be 1 -Because 'the input is spooled while it arrives'
            Get-Spool | Should -BeNullOrEmpty
            Get-RemoteBytes temp/spooled.txt | Should -Be (Get-Utf8Bytes "first`nsecond`n")
        }

        It 'deletes it after -WhatIf, a refused value, a failed upload and a stopped pipeline' {
            Set-SbxContent temp/whatif.txt -Value 'x' -WhatIf
            { Set-SbxContent temp/notbytes.bin -Value 'x' -AsByteStream } | Should -Throw
            New-Item -ItemType Directory -Path (Join-Path $agent.Home 'temp/a-dir') -Force | Out-Null
            Set-SbxContent temp/a-dir -Value 'x' -ErrorAction SilentlyContinue
            { & { 'a'; throw 'upstream failure' } | Set-SbxContent temp/stopped.txt } | Should -Throw
            'a' | Set-SbxContent temp/passthru.txt -PassThru | Out-Null

            Get-Spool | Should -BeNullOrEmpty
            Test-Remote temp/stopped.txt | Should -BeFalse
        }
    }
}

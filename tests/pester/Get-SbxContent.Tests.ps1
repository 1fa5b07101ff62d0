BeforeAll {
    . (Join-Path $PSScriptRoot 'TestAgent.ps1')
    $agent = Start-TestAgent
    $modulePath = Get-TestModulePath
    Import-Module $modulePath -Force
    $session = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token -Name main

    function New-RemoteFile([string] $Path, [byte[]] $Bytes) {
        $full = Join-Path $agent.Home $Path
        $parent = Split-Path -Parent $full
        if (-not (Test-Path -LiteralPath $parent)) { New-Item -ItemType Directory -Path $parent -Force | Out-Null }
        [System.IO.File]::WriteAllBytes($full, $Bytes)
        $full
    }

    function New-RemoteText([string] $Path, [string] $Text, [System.Text.Encoding] $Encoding = [System.Text.UTF8Encoding]::new($false)) {
        New-RemoteFile $Path $Encoding.GetBytes($Text)
    }

    function New-SparseFile([string] $Path, [string] $Head, [long] $Length, [long] $NewlineEvery = 0) {
        <# $Head, then zeros up to $Length: the file takes almost no disk, but reading it all would take minutes. #>
        $full = Join-Path $agent.Home $Path
        $parent = Split-Path -Parent $full
        if (-not (Test-Path -LiteralPath $parent)) { New-Item -ItemType Directory -Path $parent -Force | Out-Null }
        $stream = [System.IO.File]::Create($full)
        try {
            $bytes = [System.Text.Encoding]::ASCII.GetBytes($Head)
            $stream.Write($bytes, 0, $bytes.Length)
            if ($NewlineEvery -gt 0) {
                # Bounded lines, so that even a reader that never stopped would not build one huge string.
                for ($offset = $NewlineEvery; $offset -lt $Length; $offset += $NewlineEvery) {
                    $stream.Position = $offset
                    $stream.WriteByte(10)
                }
            }
            $stream.SetLength($Length)
        }
        finally {
            $stream.Dispose()
        }
        $full
    }

    function Invoke-InRunspace([string] $Script, [int] $TimeoutSec = 30) {
        <# Runs $Script in the runspace $guarded (a session of its own); stops it when it takes longer than $TimeoutSec. #>
        $ps = [powershell]::Create()
        try {
            $ps.Runspace = $guarded
            $null = $ps.AddScript($Script)
            $async = $ps.BeginInvoke()
            $finished = $async.AsyncWaitHandle.WaitOne([TimeSpan]::FromSeconds($TimeoutSec))
            if (-not $finished) {
                $ps.Stop()
            }
            [pscustomobject]@{
                Finished = $finished
                Output   = if ($finished) { @($ps.EndInvoke($async)) } else { @() }
                Errors   = @($ps.Streams.Error)
            }
        }
        finally {
            $ps.Dispose()
        }
    }

    function Invoke-ChildPwsh([string] $Script, [hashtable] $Environment, [int] $TimeoutSec = 60) {
        <# Runs $Script in another pwsh, so that whatever it leaves running dies with it. Returns its stdout. #>
        Wait-ChildPwsh (Start-ChildPwsh -ArgumentList '-Command', $Script -Environment $Environment) -TimeoutSec $TimeoutSec
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

Describe 'Get-SbxContent' {
    Context 'text' {
        It 'returns the lines of a file, without their line ends' {
            New-RemoteText 'text/lines.txt' "one`ntwo`nthree`n" | Out-Null
            $out = Get-SbxContent -Path text/lines.txt
            $out | Should -Be @('one', 'two', 'three')
            $out | ForEach-Object { $_ | Should -BeOfType ([string]) }
        }

        It 'splits lines at LF, CRLF and CR' {
            New-RemoteText 'text/mixed.txt' "lf`ncrlf`r`ncr`rlast" | Out-Null
            Get-SbxContent text/mixed.txt | Should -Be @('lf', 'crlf', 'cr', 'last')
        }

        It 'decodes UTF-8 by default' {
            New-RemoteText 'text/utf8.txt' "héllo wörld ✓`n文字 😀" | Out-Null
            Get-SbxContent text/utf8.txt | Should -Be @('héllo wörld ✓', '文字 😀')
        }

        It 'returns the whole text as one string with -Raw' {
            $text = "one`r`ntwo`nthree`n`n"
            New-RemoteText 'text/raw.txt' $text | Out-Null
            $out = Get-SbxContent text/raw.txt -Raw
            $out | Should -HaveCount 1
            $out | Should -BeOfType ([string])
            $out | Should -BeExactly $text
        }

        It 'returns nothing for an empty file' {
            New-RemoteFile 'text/empty.txt' ([byte[]]::new(0)) | Out-Null
            Get-SbxContent text/empty.txt | Should -BeNullOrEmpty
        }

        It 'returns the first lines only with -TotalCount and its aliases' {
            New-RemoteText 'text/count.txt' (((1..50) | ForEach-Object { "line $_" }) -join "`n") | Out-Null
            Get-SbxContent text/count.txt -TotalCount 2 | Should -Be @('line 1', 'line 2')
            Get-SbxContent text/count.txt -First 3 | Should -Be @('line 1', 'line 2', 'line 3')
            Get-SbxContent text/count.txt -Head 1 | Should -Be 'line 1'
            Get-SbxContent text/count.txt -TotalCount 0 | Should -BeNullOrEmpty
            Get-SbxContent text/count.txt -TotalCount 500 | Should -HaveCount 50
        }
    }

    Context 'bytes' {
        BeforeAll {
            $allBytes = [byte[]](0..255)
            New-RemoteFile 'bytes/all.bin' $allBytes | Out-Null
            $random = [byte[]]::new(1MB + 17)
            [System.Random]::new(5).NextBytes($random)
            $randomPath = New-RemoteFile 'bytes/random.bin' $random
        }

        It 'returns one byte per object with -AsByteStream' {
            $out = Get-SbxContent bytes/all.bin -AsByteStream
            $out | Should -HaveCount 256
            $out[0] | Should -BeOfType ([byte])
            $out[255] | Should -BeOfType ([byte])
            [byte[]]$out | Should -Be $allBytes
        }

        It 'returns one byte array with -AsByteStream -Raw, byte for byte' {
            (Get-SbxContent bytes/random.bin -AsByteStream -Raw | Measure-Object).Count | Should -Be 1
            $out = Get-SbxContent bytes/random.bin -AsByteStream -Raw
            $out.GetType() | Should -Be ([byte[]])
            $out.Length | Should -Be $random.Length
            $sha = [System.Security.Cryptography.SHA256]::HashData($out)
            [System.Convert]::ToHexString($sha) | Should -Be (Get-FileHash -LiteralPath $randomPath -Algorithm SHA256).Hash
        }

        It 'returns the first bytes only with -AsByteStream -TotalCount' {
            $out = Get-SbxContent bytes/random.bin -AsByteStream -TotalCount 10
            $out | Should -HaveCount 10
            [byte[]]$out | Should -Be $random[0..9]
            $raw = Get-SbxContent bytes/random.bin -AsByteStream -Raw -TotalCount 100000
            $raw.Length | Should -Be 100000
            $expected = [byte[]]::new(100000)
            [System.Array]::Copy($random, $expected, 100000)
            [System.Convert]::ToHexString([System.Security.Cryptography.SHA256]::HashData($raw)) |
                Should -Be ([System.Convert]::ToHexString([System.Security.Cryptography.SHA256]::HashData($expected)))
        }

        It 'does not decode bytes that are not valid text' {
            New-RemoteFile 'bytes/invalid.bin' ([byte[]](0xFF, 0xFE, 0x00, 0xC3, 0x28, 0x0D, 0x0A)) | Out-Null
            [byte[]](Get-SbxContent bytes/invalid.bin -AsByteStream) | Should -Be ([byte[]](0xFF, 0xFE, 0x00, 0xC3, 0x28, 0x0D, 0x0A))
        }
    }

    Context 'encodings' {
        BeforeAll {
            $text = "héllo`nwörld"
        }

        It 'decodes with -Encoding <Name>' -ForEach @(
            @{ Name = 'utf8'; Encoding = [System.Text.UTF8Encoding]::new($false) }
            @{ Name = 'unicode'; Encoding = [System.Text.UnicodeEncoding]::new($false, $false) }
            @{ Name = 'latin1'; Encoding = [System.Text.Encoding]::Latin1 }
            @{ Name = 'bigendianunicode'; Encoding = [System.Text.UnicodeEncoding]::new($true, $false) }
            @{ Name = '28591'; Encoding = [System.Text.Encoding]::Latin1 }
        ) {
            New-RemoteText "enc/$Name.txt" $text $Encoding | Out-Null
            Get-SbxContent "enc/$Name.txt" -Encoding $Name | Should -Be @('héllo', 'wörld')
            Get-SbxContent "enc/$Name.txt" -Encoding $Name -Raw | Should -BeExactly $text
        }

        It 'does not take Latin-1 bytes for UTF-8 unless told' {
            New-RemoteText 'enc/latin1-default.txt' $text ([System.Text.Encoding]::Latin1) | Out-Null
            Get-SbxContent enc/latin1-default.txt -Raw | Should -Not -Be $text
        }

        It 'drops a UTF-8 byte order mark' {
            New-RemoteFile 'enc/bom.txt' ([byte[]](0xEF, 0xBB, 0xBF) + [System.Text.Encoding]::UTF8.GetBytes("bom line`nsecond")) | Out-Null
            $raw = Get-SbxContent enc/bom.txt -Raw
            $raw | Should -BeExactly "bom line`nsecond"
            [int]$raw[0] | Should -Not -Be 0xFEFF
            Get-SbxContent enc/bom.txt | Should -Be @('bom line', 'second')
            # The bytes are the file's, BOM included.
            (Get-SbxContent enc/bom.txt -AsByteStream -TotalCount 3) | Should -Be @(0xEF, 0xBB, 0xBF)
        }

        It 'lets a byte order mark win over -Encoding' {
            New-RemoteFile 'enc/utf16-bom.txt' ([System.Text.Encoding]::Unicode.GetPreamble() + [System.Text.Encoding]::Unicode.GetBytes($text)) | Out-Null
            Get-SbxContent enc/utf16-bom.txt | Should -Be @('héllo', 'wörld')
            Get-SbxContent enc/utf16-bom.txt -Encoding latin1 | Should -Be @('héllo', 'wörld')
        }

        It 'refuses an unknown encoding (InvalidEncoding)' {
            New-RemoteText 'enc/any.txt' 'x' | Out-Null
            { Get-SbxContent enc/any.txt -Encoding no-such-encoding } | Should -Throw -ErrorId 'InvalidEncoding,*'
        }
    }

    Context 'paths and pipeline input' {
        BeforeAll {
            New-RemoteText 'many/a.txt' "a1`na2" | Out-Null
            New-RemoteText 'many/b.txt' 'b1' | Out-Null
            New-RemoteText 'many/c.log' 'c1' | Out-Null
            New-RemoteText 'many/x[1].txt' 'bracket' | Out-Null
            New-RemoteText 'many/x1.txt' 'plain' | Out-Null
        }

        It 'reads every file a wildcard matches' {
            Get-SbxContent -Path 'many/?.txt' -Raw | Sort-Object | Should -Be @("a1`na2", 'b1')
        }

        It 'takes -LiteralPath as written' {
            Get-SbxContent -LiteralPath 'many/x[1].txt' | Should -Be 'bracket'
            Get-SbxContent -Path 'many/x[1].txt' | Should -Be 'plain'
        }

        It 'reads an absolute path' {
            Get-SbxContent -Path (Join-Path $agent.Home 'many/b.txt') | Should -Be 'b1'
        }

        It 'reads the items piped from Get-SbxItem in order, each by its own path' {
            Get-SbxItem -LiteralPath many/b.txt, 'many/x[1].txt', many/a.txt | Get-SbxContent | Should -Be @('b1', 'bracket', 'a1', 'a2')
        }

        It 'reads the files piped from Get-SbxChildItem' {
            Get-SbxChildItem -Path many -File | Get-SbxContent -Raw | Sort-Object |
                Should -Be ("a1`na2", 'b1', 'bracket', 'c1', 'plain' | Sort-Object)
        }

        It 'reads paths piped as strings' {
            'many/a.txt', 'many/c.log' | Get-SbxContent | Should -Be @('a1', 'a2', 'c1')
        }
    }

    Context 'errors' {
        It 'reports a directory as PathIsDirectory and goes on with the next path' {
            New-Item -ItemType Directory -Path (Join-Path $agent.Home 'errors/dir') -Force | Out-Null
            New-RemoteText 'errors/file.txt' 'after' | Out-Null
            $out = Get-SbxContent -Path errors/dir, errors/file.txt -ErrorAction SilentlyContinue -ErrorVariable err
            $out | Should -Be 'after'
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -Be 'PathIsDirectory,ScaleBox.Sandbox.Commands.GetSbxContentCommand'
            $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err[0].TargetObject | Should -Be (Join-Path $agent.Home 'errors/dir')
        }

        It 'reports a missing file as NotFound and goes on with the next path' {
            New-RemoteText 'errors/file.txt' 'after' | Out-Null
            $out = Get-SbxContent -Path errors/missing.txt, errors/file.txt -ErrorAction SilentlyContinue -ErrorVariable err
            $out | Should -Be 'after'
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -Be 'NotFound,ScaleBox.Sandbox.Commands.GetSbxContentCommand'
            $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err[0].TargetObject | Should -Be 'errors/missing.txt'
        }

        It 'reports a directory or a missing file named from the root, first in line, as it does any other (its download asked for alongside)' {
            $directory = Join-Path $agent.Home 'errors/from-root'
            New-Item -ItemType Directory -Path $directory -Force | Out-Null
            $missing = Join-Path $agent.Home 'errors/from-root-missing.txt'
            foreach ($path in $directory, $missing) {
                Get-SbxContent -LiteralPath $path -ErrorAction SilentlyContinue -ErrorVariable err | Should -BeNullOrEmpty
                $err | Should -HaveCount 1
                $err[0].TargetObject | Should -Be $path
            }
            Get-SbxContent -LiteralPath $directory -ErrorAction SilentlyContinue -ErrorVariable err
            $err[0].FullyQualifiedErrorId | Should -Be 'PathIsDirectory,ScaleBox.Sandbox.Commands.GetSbxContentCommand'
            Get-SbxContent -LiteralPath $missing -ErrorAction SilentlyContinue -ErrorVariable err
            $err[0].FullyQualifiedErrorId | Should -Be 'NotFound,ScaleBox.Sandbox.Commands.GetSbxContentCommand'
            $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        }

        It 'reports a file whose bytes stop coming as DeadlineExceeded once they have stopped for the session timeout' {
            $stalled = New-RemoteText 'errors/stalled.txt' (('x' * 99 + "`n") * 10000)
            $proxy = Start-TestCuttingProxy -Port ([int]($agent.Domain -split ':')[1])
            # The download's body stops after 1,000 lines and stays open: only the timeout ends the read.
            # (The path's lookup goes alongside on a connection of its own, in either order; its answer is far shorter.)
            $proxy.StallResponse(1, 100000, $true)
            $proxy.StallResponse(2, 100000, $true)
            $ps = [powershell]::Create()
            try {
                $null = $ps.AddScript({
                    param($Module, $Domain, $Token, $Path)
                    Import-Module $Module
                    $s = New-SbxSession -Domain $Domain -AccessToken $Token -TimeoutSec 1 -Name stalled
                    $lines = Get-SbxContent -Session $s -LiteralPath $Path -ErrorAction SilentlyContinue -ErrorVariable failed
                    [pscustomobject]@{ Lines = @($lines).Count; Errors = @($failed) }
                }).AddArgument($modulePath).AddArgument($proxy.Domain).AddArgument($agent.Token).AddArgument($stalled)
                $async = $ps.BeginInvoke()
                # Bounded, so that a read nothing ends fails the test instead of hanging the run.
                $async.AsyncWaitHandle.WaitOne([timespan]::FromSeconds(60)) | Should -BeTrue -Because 'the stalled read ends by itself'
                $result = $ps.EndInvoke($async)[0]
                $result.Lines | Should -Be 1000 -Because 'the lines that came before the stall are output'
                $result.Errors | Should -HaveCount 1
                $result.Errors[0].FullyQualifiedErrorId | Should -Be 'DeadlineExceeded,ScaleBox.Sandbox.Commands.GetSbxContentCommand'
                $result.Errors[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
                $result.Errors[0].Exception.Message | Should -Match "stopped after 100000 bytes: .* sent nothing more for 1 s"
            }
            finally {
                $ps.Stop()
                $ps.Dispose()
                $proxy.DisposeAsync().AsTask().Wait()
            }
        }

        It 'throws NotFound with -ErrorAction Stop' {
            { Get-SbxContent -LiteralPath errors/missing.txt -ErrorAction Stop } | Should -Throw -ErrorId 'NotFound,*'
        }
    }

    Context '-Tail and -Wait' {
        It 'returns the last lines with -Tail, as Get-Content -Tail does' {
            $full = New-RemoteText 'tail/ten.txt' ((((1..10) | ForEach-Object { "line $_" }) -join "`n") + "`n")
            Get-SbxContent tail/ten.txt -Tail 3 | Should -Be (Get-Content -LiteralPath $full -Tail 3)
            Get-SbxContent tail/ten.txt -Tail 3 | Should -Be @('line 8', 'line 9', 'line 10')
            Get-SbxContent tail/ten.txt -Last 1 | Should -Be 'line 10'
            Get-SbxContent tail/ten.txt -Tail 50 | Should -HaveCount 10
            Get-SbxContent tail/ten.txt -Tail 0 | Should -BeNullOrEmpty
            Get-SbxContent tail/ten.txt -Tail 2 -Raw | Should -Be "line 9`nline 10"
            New-RemoteText 'tail/empty.txt' '' | Out-Null
            Get-SbxContent tail/empty.txt -Tail 3 -ErrorVariable err | Should -BeNullOrEmpty
            Get-SbxContent (Join-Path $agent.Home 'tail/empty.txt') -Tail 3 -ErrorVariable +err | Should -BeNullOrEmpty
            $err | Should -BeNullOrEmpty
        }

        It 'returns the last lines of a UTF-16 file (read whole), joined with -Raw' {
            $full = Join-Path $agent.Home 'tail/utf16.txt'
            New-Item -ItemType Directory -Path (Split-Path $full) -Force | Out-Null
            Set-Content -LiteralPath $full -Value 'a', 'b', 'c', 'd' -Encoding unicode
            Get-SbxContent tail/utf16.txt -Encoding unicode -Tail 3 | Should -Be @('b', 'c', 'd')
            Get-SbxContent tail/utf16.txt -Encoding unicode -Tail 2 -Raw | Should -Be "c`nd"
        }

        It 'keeps a last line without its line feed, and a UTF-8 character cut by the window' {
            New-RemoteText 'tail/unended.txt' "a`nb`nc" | Out-Null
            Get-SbxContent tail/unended.txt -Tail 2 | Should -Be @('b', 'c')
            New-RemoteText 'tail/utf8.txt' ("é" * 40000 + "`nfin`n") | Out-Null
            Get-SbxContent tail/utf8.txt -Tail 2 | Should -Be @(("é" * 40000), 'fin')
        }

        It 'reads the end of the file a symbolic link names, not as much as the link itself is long' {
            $full = New-RemoteText 'tail/linked.txt' ((((1..10) | ForEach-Object { "line $_" }) -join "`n") + "`n")
            $link = Join-Path (Split-Path $full) 'latest.txt'
            New-Item -ItemType SymbolicLink -Path $link -Target $full | Out-Null
            Get-SbxContent tail/latest.txt -Tail 2 | Should -Be @('line 9', 'line 10')
            $ps = Start-InRunspace 'Get-SbxContent tail/latest.txt -Tail 1 -Wait'
            try {
                Wait-Until { $ps.Output.Count -ge 1 } -TimeoutSec 20
                [System.IO.File]::AppendAllText($full, "line 11`n")
                Wait-Until { $ps.Output.Count -ge 2 } -TimeoutSec 20
                @($ps.Output[0], $ps.Output[1]) | Should -Be @('line 10', 'line 11')
            }
            finally {
                $ps.PowerShell.Stop()
                $ps.PowerShell.Dispose()
            }
        }

        It 'reads only the end of a large file with -Tail' {
            # 1000 short lines then 64 GB of zeros with a line end every 16 MB: a full read would take minutes.
            $null = New-SparseFile 'tail/huge.txt' "head`n" 64GB -NewlineEvery 16MB
            $ps = Start-InRunspace 'Get-SbxContent tail/huge.txt -Tail 1 | ForEach-Object Length'
            try {
                $ps.Async.AsyncWaitHandle.WaitOne([TimeSpan]::FromSeconds(60)) | Should -BeTrue -Because 'only the last 16 MB are read'
                $ps.PowerShell.Streams.Error | Should -BeNullOrEmpty
                $ps.Output.Count | Should -Be 1
                $ps.Output[0] | Should -Be (16MB - 1)
            }
            finally {
                $ps.PowerShell.Stop()
                $ps.PowerShell.Dispose()
            }
        }

        It 'refuses -Tail with -TotalCount or -AsByteStream, and -Wait with -Raw' {
            { Get-SbxContent tail/ten.txt -Tail 1 -TotalCount 1 -ErrorAction Stop } | Should -Throw -ErrorId 'ParametersConflict,*'
            { Get-SbxContent tail/ten.txt -Tail 1 -AsByteStream -ErrorAction Stop } | Should -Throw -ErrorId 'ParametersConflict,*'
            { Get-SbxContent tail/ten.txt -Wait -Raw -ErrorAction Stop } | Should -Throw -ErrorId 'ParametersConflict,*'
        }

        It 'follows a growing file with -Wait until the pipeline stops' {
            $full = New-RemoteText 'tail/growing.log' "one`ntwo`n"
            $ps = Start-InRunspace 'Get-SbxContent tail/growing.log -Tail 1 -Wait'
            try {
                Wait-Until { $ps.Output.Count -ge 1 } -TimeoutSec 20
                $ps.Output[0] | Should -Be 'two'
                [System.IO.File]::AppendAllText($full, "three`nfour")
                Wait-Until { $ps.Output.Count -ge 2 } -TimeoutSec 20
                [System.IO.File]::AppendAllText($full, " and more`n")
                Wait-Until { $ps.Output.Count -ge 3 } -TimeoutSec 20
                # Indexed: enumerating a collection that is still open would wait for it to close.
                @($ps.Output[0], $ps.Output[1], $ps.Output[2]) | Should -Be @('two', 'three', 'four and more') -Because 'a line is written once it has its end'
                $ps.PowerShell.InvocationStateInfo.State | Should -Be 'Running' -Because '-Wait goes on until stopped'
            }
            finally {
                $ps.PowerShell.Stop()
                $ps.PowerShell.Dispose()
            }
        }

        It 'follows from the end of a whole read, and from the start again after a truncation' {
            $full = New-RemoteText 'tail/rotated.log' "old`n"
            $ps = Start-InRunspace 'Get-SbxContent tail/rotated.log -Wait 3>&1'
            try {
                Wait-Until { $ps.Output.Count -ge 1 } -TimeoutSec 20
                [System.IO.File]::WriteAllText($full, "n`n")
                Wait-Until { $ps.Output.Count -ge 3 } -TimeoutSec 20
                $ps.Output[0] | Should -Be 'old'
                "$($ps.Output[1])" | Should -BeLike '*became shorter*'
                $ps.Output[2] | Should -Be 'n'
            }
            finally {
                $ps.PowerShell.Stop()
                $ps.PowerShell.Dispose()
            }
        }
    }

    Context '-Delimiter' {
        It 'splits <Name> as Get-Content -Delimiter does' -ForEach @(
            @{ Name = 'a text ending in its delimiter'; Text = "a,b,,c`nd,"; Delimiter = ',' }
            @{ Name = 'only delimiters'; Text = ',,'; Delimiter = ',' }
            @{ Name = 'an empty file'; Text = ''; Delimiter = ',' }
            @{ Name = 'a text without its delimiter'; Text = "abc`ndef"; Delimiter = ',' }
            @{ Name = 'a text on a delimiter of several characters'; Text = 'one<END>two<END>three'; Delimiter = '<END>' }
            @{ Name = 'records longer than a read, on a non-ASCII delimiter'; Text = ((1..6) | ForEach-Object { "é$_" * 30000 }) -join '§'; Delimiter = '§' }
            @{ Name = 'a delimiter of several characters that two reads share'; Text = ('a' * 81918) + '<END>' + ('b' * 200000) + '<END>c'; Delimiter = '<END>' }
        ) {
            $full = New-RemoteText 'delimited/sample.txt' $Text

            $expected = @(Get-Content -LiteralPath $full -Delimiter $Delimiter)
            $actual = @(Get-SbxContent delimited/sample.txt -Delimiter $Delimiter)

            $actual.Count | Should -Be $expected.Count
            $actual | Should -Be $expected
        }

        It 'counts the pieces with -TotalCount and -Tail, as Get-Content does' {
            $full = New-RemoteText 'delimited/counted.txt' 'a;b;c;d;e;'

            Get-SbxContent delimited/counted.txt -Delimiter ';' -TotalCount 2 | Should -Be (Get-Content -LiteralPath $full -Delimiter ';' -TotalCount 2)
            Get-SbxContent delimited/counted.txt -Delimiter ';' -Tail 2 | Should -Be (Get-Content -LiteralPath $full -Delimiter ';' -Tail 2)
            Get-SbxContent delimited/counted.txt -Delimiter ';' -Tail 2 | Should -Be @('d', 'e')
        }

        It 'refuses -Delimiter with -Raw or -AsByteStream' {
            { Get-SbxContent delimited/counted.txt -Delimiter ';' -Raw -ErrorAction Stop } | Should -Throw -ErrorId 'ParametersConflict,*'
            { Get-SbxContent delimited/counted.txt -Delimiter ';' -AsByteStream -ErrorAction Stop } | Should -Throw -ErrorId 'ParametersConflict,*'
        }

        It 'follows a growing file with -Wait, writing a piece once its delimiter arrives' {
            $full = New-RemoteText 'delimited/growing.txt' 'one;'
            $ps = Start-InRunspace 'Get-SbxContent delimited/growing.txt -Delimiter ";" -Wait'
            try {
                Wait-Until { $ps.Output.Count -ge 1 } -TimeoutSec 20
                [System.IO.File]::AppendAllText($full, "two`nlines;thr")
                Wait-Until { $ps.Output.Count -ge 2 } -TimeoutSec 20
                [System.IO.File]::AppendAllText($full, 'ee;')
                Wait-Until { $ps.Output.Count -ge 3 } -TimeoutSec 20
                @($ps.Output[0], $ps.Output[1], $ps.Output[2]) | Should -Be @('one', "two`nlines", 'three')
            }
            finally {
                $ps.PowerShell.Stop()
                $ps.PowerShell.Dispose()
            }
        }
    }

    Context 'many files, opened ahead' {
        BeforeAll {
            # 90 files: most a line or two, every tenth 3,000 lines (larger than what one read takes,
            # so it is still streaming while the files after it are opened), the 45th 2 MB (opened
            # only at its turn), three that a pattern matches, a directory and a missing name among them.
            $texts = [ordered]@{}
            foreach ($i in 1..90) {
                $name = 'ahead/f{0:D3}.txt' -f $i
                $lines = if ($i -eq 45) { 40000 } elseif ($i % 10 -eq 0) { 3000 } else { 0 }
                $texts[$name] = if ($lines) { ((1..$lines) | ForEach-Object { "f$i line $_ " + ('x' * 40) }) -join "`n" } else { "f$i first`nf$i second" }
                New-RemoteText $name $texts[$name] | Out-Null
            }
            foreach ($w in 'w1', 'w2', 'w3') { New-RemoteText "ahead/$w.log" "$w only" | Out-Null }
            New-Item -ItemType Directory -Path (Join-Path $agent.Home 'ahead/sub') -Force | Out-Null

            $named = [System.Collections.Generic.List[string]]::new()
            foreach ($name in $texts.Keys) {
                $named.Add($name)
                if ($name -eq 'ahead/f030.txt') { $named.Add('ahead/missing.txt') }
                if ($name -eq 'ahead/f050.txt') { $named.Add('ahead/w*.log') }
                if ($name -eq 'ahead/f070.txt') { $named.Add('ahead/sub') }
            }


            function Get-Expected([switch] $Tail) {
                foreach ($name in $named) {
                    if ($name -eq 'ahead/missing.txt') { "ERROR NotFound $name"; continue }
                    if ($name -eq 'ahead/sub') { 'ERROR PathIsDirectory ' + (Join-Path $agent.Home $name); continue }
                    $files = if ($name -eq 'ahead/w*.log') { (Get-SbxItem -Path $name).Name | ForEach-Object { "ahead/$_" } } else { $name }
                    foreach ($file in $files) {
                        $lines = @(if ($texts.Contains($file)) { $texts[$file] -split "`n" } else { ($file -replace '^ahead/(w\d)\.log$', '$1') + ' only' })
                        if ($Tail) { $lines[-1] } else { $lines }
                    }
                }
            }
        }

        It 'writes content and errors in the order the paths came with -ThrottleLimit <Limit>' -ForEach @(
            @{ Limit = 1 }, @{ Limit = 16 }, @{ Limit = 64 }
        ) {
            $out = $named | Get-SbxContent -ThrottleLimit $Limit -ErrorAction Continue 2>&1
            $actual = @(ConvertTo-ComparableOutput $out)
            $expected = @(Get-Expected)
            $actual.Count | Should -Be $expected.Count
            $actual | Should -Be $expected
        }

        It 'writes the last lines of each file in order with -Tail and -ThrottleLimit <Limit>' -ForEach @(
            @{ Limit = 1 }, @{ Limit = 16 }
        ) {
            $actual = @(ConvertTo-ComparableOutput ($named | Get-SbxContent -Tail 1 -ThrottleLimit $Limit -ErrorAction Continue 2>&1))
            $actual | Should -Be @(Get-Expected -Tail)
        }

        It 'reads the items piped from Get-SbxChildItem, -Raw, in their order' {
            $items = Get-SbxChildItem -Path ahead -File -Filter 'f*.txt'
            $items | Get-SbxContent -Raw | Should -Be @($items | ForEach-Object { $texts['ahead/' + $_.Name] })
        }

    }

    Context 'connections of the downloads opened ahead' {
        BeforeAll {
            # An agent of its own: the connections counted are then only this context's, not those
            # other tests' sessions keep in their pools.
            $own = Start-TestAgent
            $ownPort = [int]($own.Domain -split ':')[1]
            # 400 KB each: more than one read takes, less than the 1 MiB up to which a file is opened ahead.
            $filler = ((1..30000) | ForEach-Object { "filler line $_" }) -join "`n"
            New-Item -ItemType Directory -Path (Join-Path $own.Home 'small'), (Join-Path $own.Home 'big') | Out-Null
            foreach ($i in 1..20) {
                [System.IO.File]::WriteAllText((Join-Path $own.Home ('small/f{0:D2}.txt' -f $i)), "f$i line 1`n$filler")
                # The same, but b02 is 2 MB: opened only at its turn.
                $size = if ($i -eq 2) { 6 } else { 1 }
                [System.IO.File]::WriteAllText((Join-Path $own.Home ('big/b{0:D2}.txt' -f $i)), "b$i line 1`n" + (($filler + "`n") * $size))
            }

            function Get-FirstLineCountingConnections([string] $Folder, [int] $Limit, [int] $AtLeast, $Session) {
                <# The first line of the folder's files read with -ThrottleLimit $Limit, and the connections open while it was written (once $AtLeast were). #>
                $script:openWhileWriting = $null
                # Given at once rather than piped: piped one by one, the first file could be written (and
                # this wait begun, holding the pipeline) before the files after it had even been added.
                $items = @(Get-SbxChildItem -Path (Join-Path $own.Home $Folder) -File -Session $Session)
                $first = Get-SbxContent -InputObject $items -Session $Session -ThrottleLimit $Limit |
                    ForEach-Object {
                        if ($null -eq $script:openWhileWriting) {
                            # Each download opened and not read to its end holds a connection of its own.
                            # (A generous wait: in the whole suite's process, the downloads' tasks may start late.)
                            try {
                                Wait-Until { ($script:lastCount = Get-DirectConnectionCount -Port $ownPort) -ge $AtLeast } -TimeoutSec 30
                            }
                            catch {
                                throw "$_ (the last count was $script:lastCount)"
                            }
                            $script:openWhileWriting = Get-DirectConnectionCount -Port $ownPort
                        }
                        $_
                    } | Select-Object -First 1
                [pscustomobject]@{ First = $first; OpenWhileWriting = $script:openWhileWriting }
            }
        }

        AfterAll {
            if ($own) { Stop-TestAgent $own }
        }

        BeforeEach {
            $session = New-SbxSession -Domain $own.Domain -AccessToken $own.Token -Name connections
        }

        AfterEach {
            $session | Remove-SbxSession
        }

        It 'keeps -ThrottleLimit downloads open ahead of the file being written, and hands them back when the pipeline stops early' {
            $run = Get-FirstLineCountingConnections small -Limit 8 -AtLeast 8 -Session $session
            $run.First | Should -Be 'f1 line 1'
            $run.OpenWhileWriting | Should -BeGreaterOrEqual 8

            # The downloads opened ahead and never written were disposed (read to their end and their
            # connections put back in the pool), so the same again needs no new connection.
            $again = Get-FirstLineCountingConnections small -Limit 8 -AtLeast 8 -Session $session
            $again.First | Should -Be 'f1 line 1'
            $again.OpenWhileWriting | Should -BeLessOrEqual 9 -Because 'eight downloads and at most the listing''s connection; downloads left open would hold eight more'
        }

        It 'opens a file larger than 1 MiB only at its turn' {
            # b01 to b08 are in the window while b01 is written; all but b02 are opened.
            $run = Get-FirstLineCountingConnections big -Limit 8 -AtLeast 7 -Session $session
            $run.First | Should -Be 'b1 line 1'
            $run.OpenWhileWriting | Should -Be 7
            Get-SbxContent -Path (Join-Path $own.Home 'big/*.txt') -Session $session -Tail 1 | Should -Be (@(1..20) | ForEach-Object { 'filler line 30000' })
        }

        It 'asks for a path from the root and for its download side by side when nothing is read before it' {
            # Two requests at once need two connections. A piped item is not looked up, so its download
            # goes alone; nor is a relative path's download asked for before a lookup has shown the
            # session where its home is: after one, it is.
            $path = Join-Path $own.Home 'small/f03.txt'
            $counts = Measure-SessionConnection -Agent $own -Variant 'absolute', 'piped', 'relative', 'relative, home known' -Script {
                param($counted, $own, $way)
                $lines = switch ($way) {
                    'absolute' { Get-SbxContent -LiteralPath $path -Session $counted }
                    'piped' { Get-SbxItem -LiteralPath $path -Session $counted | Get-SbxContent -Session $counted }
                    'relative' { Get-SbxContent -LiteralPath small/f03.txt -Session $counted }
                    'relative, home known' {
                        # A lookup of a relative path shows the session its home (one connection, kept).
                        $null = Get-SbxItem -LiteralPath small/f02.txt -Session $counted
                        Get-SbxContent -LiteralPath small/f03.txt -Session $counted
                    }
                }
                $lines[0] | Should -Be 'f3 line 1'
                $lines | Should -HaveCount 30001
            }
            $counts | Should -Be @(2, 1, 1, 2)
        }

        It 'opens one file at a time with -ThrottleLimit 1' {
            $run = Get-FirstLineCountingConnections small -Limit 1 -AtLeast 1 -Session $session
            $run.First | Should -Be 'f1 line 1'
            $run.OpenWhileWriting | Should -Be 1
        }
    }

    Context 'ending early on a large file' {
        BeforeAll {
            # 1000 short lines, then 64 GB of zeros with a line end every 16 MB.
            $head = ((1..1000) | ForEach-Object { "line $_" }) -join "`n"
            $null = New-SparseFile 'large/huge.txt' "$head`n" 64GB -NewlineEvery 16MB

            # A runspace of its own, so that a download that never ended could be stopped.
            $guarded = [runspacefactory]::CreateRunspace()
            $guarded.Open()
            $setup = [powershell]::Create()
            try {
                $setup.Runspace = $guarded
                $null = $setup.AddScript('param($Module, $Domain, $Token) Import-Module $Module; $null = New-SbxSession -Domain $Domain -AccessToken $Token').AddArgument($modulePath).AddArgument($agent.Domain).AddArgument($agent.Token).Invoke()
            }
            finally {
                $setup.Dispose()
            }

            # What the agent has read from disk so far (Linux): what it served, give or take its buffers.
            $agentIo = "/proc/$($agent.Process.Id)/io"
            function Get-AgentBytesRead {
                if (-not (Test-Path -LiteralPath $agentIo)) { return $null }
                [long]((Get-Content -LiteralPath $agentIo | Where-Object { $_ -like 'rchar:*' }) -split ':\s*')[1]
            }
            function Measure-AgentRead([scriptblock] $Action) {
                $before = Get-AgentBytesRead
                $result = & $Action
                Start-Sleep -Milliseconds 300
                $after = Get-AgentBytesRead
                [pscustomobject]@{ Result = $result; BytesRead = if ($null -ne $before) { $after - $before } else { $null } }
            }
        }

        AfterAll {
            if ($guarded) { $guarded.Dispose() }
        }

        # A download cut short still lets the agent read ahead by what the loopback socket buffers
        # hold (up to tens of MB); reading the whole file would be 64 GB.
        It 'stops the download when <Command> has what it needs' -ForEach @(
            @{ Command = 'Get-SbxContent -Path large/huge.txt | Select-Object -First 1'; Expected = @('line 1') }
            @{ Command = 'Get-SbxContent -Path large/huge.txt -TotalCount 3'; Expected = @('line 1', 'line 2', 'line 3') }
            @{ Command = 'Get-SbxContent -Path large/huge.txt -AsByteStream -TotalCount 4'; Expected = @(108, 105, 110, 101) }
            @{ Command = 'Get-SbxContent -Path large/huge.txt -AsByteStream | Select-Object -First 2'; Expected = @(108, 105) }
        ) {
            $measured = Measure-AgentRead { Invoke-InRunspace -TimeoutSec 30 -Script $Command }
            $measured.Result.Finished | Should -BeTrue -Because 'reading all 64 GB would take minutes'
            $measured.Result.Errors | Should -BeNullOrEmpty
            $measured.Result.Output | Should -Be $Expected
            if ($null -ne $measured.BytesRead) {
                $measured.BytesRead | Should -BeLessThan 64MB -Because 'the rest of the file is not transferred'
            }
        }

        It 'still reads files after downloads were cut short' {
            New-RemoteText 'large/after.txt' 'still here' | Out-Null
            Get-SbxContent large/after.txt | Should -Be 'still here'
        }

        It 'stops reading at once when the pipeline stops inside a line that does not end' {
            # "first", then 4 GB of zeros without a line end: when Select-Object stops the pipeline, the
            # reader is inside one endless line. It must stop there rather than read on. This runs in
            # another pwsh so that a reader that does not stop dies with it.
            $path = New-SparseFile 'large/endless-line.txt' "first`n" 4GB
            $script = @'
Import-Module $env:SBX_TEST_MODULE
$null = New-SbxSession -Domain $env:SBX_TEST_DOMAIN -AccessToken $env:SBX_TEST_TOKEN
$clock = [System.Diagnostics.Stopwatch]::StartNew()
$first = Get-SbxContent -LiteralPath $env:SBX_TEST_PATH | Select-Object -First 1
$elapsed = $clock.ElapsedMilliseconds
[pscustomobject]@{ First = $first; ElapsedMs = $elapsed } | ConvertTo-Json -Compress
[System.Environment]::Exit(0)
'@
            $measured = Measure-AgentRead {
                Invoke-ChildPwsh -Script $script -Environment @{
                    SBX_TEST_MODULE = $modulePath
                    SBX_TEST_DOMAIN = $agent.Domain
                    SBX_TEST_TOKEN  = $agent.Token
                    SBX_TEST_PATH   = $path
                }
            }
            $result = ($measured.Result -split "`n" | Where-Object { $_ -like '{*' } | Select-Object -Last 1) | ConvertFrom-Json
            $result.First | Should -Be 'first'
            $result.ElapsedMs | Should -BeLessThan 4000 -Because 'the cmdlet should not wait for a read that ignores the stop'
            if ($null -ne $measured.BytesRead) {
                $measured.BytesRead | Should -BeLessThan 64MB -Because 'the download should end when the pipeline stops, not go on inside the endless line'
            }
        }
    }
}

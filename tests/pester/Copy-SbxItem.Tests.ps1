BeforeAll {
    . (Join-Path $PSScriptRoot 'TestAgent.ps1')
    $agent = Start-TestAgent
    $modulePath = Get-TestModulePath
    Import-Module $modulePath -Force
    $session = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token -Name main
    $ProgressPreference = 'SilentlyContinue'

    # Local side of the copies; the sandbox side is $agent.Home.
    $work = Join-Path ([System.IO.Path]::GetTempPath()) ('sbx-copy-' + [guid]::NewGuid().ToString('N').Substring(0, 12))
    New-Item -ItemType Directory -Path $work | Out-Null

    function New-RandomFile([string] $Path, [long] $Size, [int] $Seed = 7) {
        # Written in chunks: a large file is never built in memory.
        $parent = Split-Path -Parent $Path
        if (-not (Test-Path -LiteralPath $parent)) { New-Item -ItemType Directory -Path $parent | Out-Null }
        $random = [System.Random]::new($Seed)
        $buffer = [byte[]]::new(1MB)
        $stream = [System.IO.FileStream]::new($Path, [System.IO.FileMode]::CreateNew, [System.IO.FileAccess]::Write)
        try {
            $left = $Size
            while ($left -gt 0) {
                $count = [int][Math]::Min($buffer.Length, $left)
                $random.NextBytes($buffer)
                $stream.Write($buffer, 0, $count)
                $left -= $count
            }
        }
        finally {
            $stream.Dispose()
        }
        $Path
    }

    function New-SparseFile([string] $Path, [long] $Size) {
        <# A file of zeros that takes no disk: a copy of it runs long enough to be stopped midway. #>
        $parent = Split-Path -Parent $Path
        if (-not (Test-Path -LiteralPath $parent)) { New-Item -ItemType Directory -Path $parent -Force | Out-Null }
        $stream = [System.IO.File]::Create($Path)
        try { $stream.SetLength($Size) } finally { $stream.Dispose() }
        $Path
    }

    function Wait-Until([scriptblock] $Condition, [int] $TimeoutSec = 20) {
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
        while (-not (& $Condition)) {
            if ([DateTime]::UtcNow -gt $deadline) { return $false }
            Start-Sleep -Milliseconds 20
        }
        $true
    }

    function New-TextFile([string] $Path, [string] $Content) {
        $parent = Split-Path -Parent $Path
        if (-not (Test-Path -LiteralPath $parent)) { New-Item -ItemType Directory -Path $parent -Force | Out-Null }
        [System.IO.File]::WriteAllText($Path, $Content)
        $Path
    }

    function New-LocalDir([string] $Name) {
        $path = Join-Path $work $Name
        New-Item -ItemType Directory -Path $path -Force | Out-Null
        $path
    }

    function New-RemoteDir([string] $Name) {
        $path = Join-Path $agent.Home $Name
        New-Item -ItemType Directory -Path $path -Force | Out-Null
        $path
    }

    function Get-Sha([string] $Path) {
        (Get-FileHash -LiteralPath $Path -Algorithm SHA256).Hash
    }

    function Get-Tree([string] $Root) {
        <# Every entry under $Root as "relative/" for a directory or "relative=<SHA-256>" for a file, sorted. #>
        $rootFull = (Resolve-Path -LiteralPath $Root).ProviderPath.TrimEnd('/')
        Get-ChildItem -LiteralPath $rootFull -Recurse -Force | ForEach-Object {
            $relative = $_.FullName.Substring($rootFull.Length + 1)
            if ($_.PSIsContainer) { "$relative/" } else { "$relative=$(Get-Sha $_.FullName)" }
        } | Sort-Object
    }

    function Get-StagingFile([string] $Root) {
        <# The hidden names transfers write to before the rename: .<name>.sbxpart-<hex>. #>
        Get-ChildItem -LiteralPath $Root -Recurse -Force -ErrorAction SilentlyContinue |
            Where-Object Name -Like '.*.sbxpart-*'
    }

    function Stop-CopyJobMidway($Job, [string] $Folder, [string[]] $Done, [scriptblock] $InFlight) {
        <# Waits until the files $Done are complete in $Folder and $InFlight holds (the large ones in flight
           side by side), stops the job, and checks that only the complete files are left. #>
        try {
            Wait-Until {
                (@($Done | Where-Object { -not (Test-Path -LiteralPath (Join-Path $Folder $_)) }).Count -eq 0 -and (& $InFlight)) -or $Job.State -ne 'Running'
            } | Should -BeTrue
            $Job.State | Should -Be 'Running' -Because 'the 4 GB copies are still running'
            $Job | Stop-Job
            $Job | Wait-Job -Timeout 15 | Out-Null
            $Job.State | Should -Be 'Stopped'
        }
        finally {
            $Job | Remove-Job -Force
        }
        # An agent removes what it was receiving once the upload is cancelled.
        Wait-Until { @(Get-ChildItem -LiteralPath $Folder -Force).Count -le $Done.Count } -TimeoutSec 5 | Out-Null
        if ($Done.Count -eq 0) {
            Get-ChildItem -LiteralPath $Folder -Force | Should -BeNullOrEmpty
        }
        else {
            (Get-ChildItem -LiteralPath $Folder -Force).Name | Should -Be $Done
        }
    }

    function Invoke-InRunspace([string] $Script, [hashtable] $Arguments = @{}) {
        <# Runs $Script in a fresh runspace with its own session, and returns its output and streams. #>
        $ps = [powershell]::Create()
        try {
            $prelude = 'param($Module, $Domain, $Token, $Arguments) Import-Module $Module; $null = New-SbxSession -Domain $Domain -AccessToken $Token' + "`n"
            $null = $ps.AddScript($prelude + $Script).AddArgument($modulePath).AddArgument($agent.Domain).AddArgument($agent.Token).AddArgument($Arguments)
            $output = $ps.Invoke()
            [pscustomobject]@{
                Output   = @($output)
                Errors   = @($ps.Streams.Error)
                Progress = @($ps.Streams.Progress)
            }
        }
        finally {
            $ps.Dispose()
        }
    }
}

AfterAll {
    try {
        Get-SbxSession | Remove-SbxSession
    }
    finally {
        if ($agent) { Stop-TestAgent $agent }
        if ($work) { Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue }
    }
}

Describe 'Copy-SbxItem' {
    Context 'round trips, checked with SHA-256' {
        It 'copies an empty file into the sandbox and back' {
            $local = Join-Path $work 'empty.bin'
            [System.IO.File]::WriteAllBytes($local, [byte[]]::new(0))
            Copy-SbxItem -ToSandbox -Path $local -Destination rt/empty.bin
            $remote = Join-Path $agent.Home 'rt/empty.bin'
            Test-Path -LiteralPath $remote -PathType Leaf | Should -BeTrue
            (Get-Item -LiteralPath $remote).Length | Should -Be 0

            $back = New-LocalDir 'empty-back'
            Copy-SbxItem -FromSandbox -Path rt/empty.bin -Destination $back
            $copy = Join-Path $back 'empty.bin'
            (Get-Item -LiteralPath $copy).Length | Should -Be 0
            Get-Sha $copy | Should -Be (Get-Sha $local)
            Get-Sha $remote | Should -Be 'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855'
        }

        It 'copies a 20 MB file into the sandbox and back byte for byte' {
            $local = New-RandomFile (Join-Path $work 'big/big.bin') (20MB + 12345)
            $expected = Get-Sha $local

            $verbose = Copy-SbxItem -ToSandbox -Path $local -Destination rt/big.bin -Verbose 4>&1
            $remote = Join-Path $agent.Home 'rt/big.bin'
            (Get-Item -LiteralPath $remote).Length | Should -Be (20MB + 12345)
            Get-Sha $remote | Should -Be $expected
            ($verbose.Message -join "`n") | Should -Match "Copied .*big\.bin to .*rt/big\.bin \($(20MB + 12345) bytes"

            $back = New-LocalDir 'big-back'
            $verbose = Copy-SbxItem -FromSandbox -Path rt/big.bin -Destination $back -Verbose 4>&1
            Get-Sha (Join-Path $back 'big.bin') | Should -Be $expected
            ($verbose.Message -join "`n") | Should -Match "Copied .*rt/big\.bin to .*big\.bin \($(20MB + 12345) bytes"
            Get-StagingFile $back | Should -BeNullOrEmpty
            Get-StagingFile (Join-Path $agent.Home 'rt') | Should -BeNullOrEmpty
        }

        It 'copies "<Name>" into the sandbox and back by its literal name' -ForEach @(
            @{ Name = 'with space.txt' }
            @{ Name = 'hash#tag.txt' }
            @{ Name = '100%25 sure.txt' }
            @{ Name = 'what?.txt' }
            @{ Name = 'ünïcødé 文字.txt' }
            @{ Name = 'emoji 😀 #?%.bin' }
            @{ Name = 'run 12:30.log' }
        ) {
            if ($IsWindows -and $Name.IndexOfAny([char[]]'?:') -ge 0) {
                Set-ItResult -Skipped -Because 'Windows file names cannot hold "?" or ":"'
                return
            }
            $local = New-RandomFile (Join-Path $work "names/$Name") 70000 -Seed $Name.Length
            $expected = Get-Sha $local

            Copy-SbxItem -ToSandbox -LiteralPath $local -Destination "names/$Name" -ErrorVariable err
            $err | Should -BeNullOrEmpty
            $remote = Join-Path $agent.Home "names/$Name"
            Test-Path -LiteralPath $remote -PathType Leaf | Should -BeTrue
            Get-Sha $remote | Should -Be $expected

            # Into an existing directory: the local name comes from the sandbox.
            $back = New-LocalDir 'names-back'
            Copy-SbxItem -FromSandbox -LiteralPath "names/$Name" -Destination $back -ErrorAction SilentlyContinue -ErrorVariable err
            $err | Should -BeNullOrEmpty
            Get-Sha (Join-Path $back $Name) | Should -Be $expected
        }

        It 'takes -Path and -Destination by position' {
            $local = New-TextFile (Join-Path $work 'positional.txt') 'positional'
            Copy-SbxItem $local rt/positional.txt -ToSandbox
            Get-Content -LiteralPath (Join-Path $agent.Home 'rt/positional.txt') -Raw | Should -Be 'positional'
        }

        It 'resolves a local -Destination against the current location and PowerShell drives' {
            New-TextFile (Join-Path $agent.Home 'rt/located.txt') 'located' | Out-Null
            $here = New-LocalDir 'located'
            Push-Location -LiteralPath $here
            try {
                Copy-SbxItem -FromSandbox -Path rt/located.txt -Destination ./relative.txt
            }
            finally {
                Pop-Location
            }
            Get-Content -LiteralPath (Join-Path $here 'relative.txt') -Raw | Should -Be 'located'

            $null = New-PSDrive -Name SbxCopyDrive -PSProvider FileSystem -Root $here
            try {
                Copy-SbxItem -FromSandbox -Path rt/located.txt -Destination SbxCopyDrive:/drive.txt
                Copy-SbxItem -ToSandbox -Path SbxCopyDrive:/drive.txt -Destination rt/from-drive.txt
            }
            finally {
                Remove-PSDrive -Name SbxCopyDrive
            }
            Get-Content -LiteralPath (Join-Path $here 'drive.txt') -Raw | Should -Be 'located'
            Get-Content -LiteralPath (Join-Path $agent.Home 'rt/from-drive.txt') -Raw | Should -Be 'located'
        }
    }

    Context 'small files in: their uploads posted alongside the lookups' {
        BeforeAll {
            $two = @((New-TextFile (Join-Path $work 'posted/one.txt') 'one'), (New-TextFile (Join-Path $work 'posted/two.txt') 'two'))
        }

        It 'posts several small files alongside the lookups of their folder and their names in it, where -Verbose asks first' {
            $three = foreach ($name in 'a', 'b b', 'c#') { New-TextFile (Join-Path $work "posted-several/$name.txt") $name }
            $counts = Measure-QuietAndToldConnection -Script {
                param($counted, $own, $verbose)
                $into = New-Item -ItemType Directory -Path (Join-Path $own.Home "several-$verbose") -Force
                Copy-SbxItem -ToSandbox -LiteralPath $three -Destination $into.FullName -Session $counted -Verbose:$verbose 4>$null
                @(Get-ChildItem -LiteralPath $into -Force).Name | Sort-Object | Should -Be @('a.txt', 'b b.txt', 'c#.txt')
                Get-Content -LiteralPath (Join-Path $into 'b b.txt') | Should -Be 'b b'
            }
            # The folder, the three names in it and the three posts at once; with -Verbose the posts
            # wait for the plan, and go on the lookups' connections.
            $counts | Should -Be @(7, 4)
        }

        It 'lets go the posts of files the plan does not copy, copying the others from theirs' {
            $root = New-RemoteDir 'posted-several-let-go'
            New-TextFile (Join-Path $root 'two.txt') 'old' | Out-Null
            Copy-SbxItem -ToSandbox -LiteralPath $two -Destination $root -ErrorAction SilentlyContinue -ErrorVariable err
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'DestinationExists*'
            $err[0].TargetObject | Should -Be (Join-Path $root 'two.txt')
            Get-Content -LiteralPath (Join-Path $root 'one.txt') | Should -Be 'one'
            Get-Content -LiteralPath (Join-Path $root 'two.txt') | Should -Be 'old'
            @(Get-ChildItem -LiteralPath $root -Force).Name | Sort-Object | Should -Be @('one.txt', 'two.txt')
        }

        It 'copies two files of one name as before, the first in and the second refused, with nothing posted ahead' {
            $same = @((New-TextFile (Join-Path $work 'posted-same/a/x.txt') 'first'), (New-TextFile (Join-Path $work 'posted-same/b/x.txt') 'second'))
            $root = New-RemoteDir 'posted-same'
            Copy-SbxItem -ToSandbox -LiteralPath $same -Destination $root -ErrorAction SilentlyContinue -ErrorVariable err
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'DestinationExists*'
            Get-Content -LiteralPath (Join-Path $root 'x.txt') | Should -Be 'first'
            @(Get-ChildItem -LiteralPath $root -Force).Name | Should -Be 'x.txt'
        }

        It 'posts one small file to its staging name alongside the lookups of its destination, where -Verbose asks first' {
            $counts = Measure-QuietAndToldConnection -Script {
                param($counted, $own, $verbose)
                $into = New-Item -ItemType Directory -Path (Join-Path $own.Home "into-$verbose") -Force
                # Into "folder/": the folder, the name in it and the post, three requests at once.
                Copy-SbxItem -ToSandbox -LiteralPath $two[0] -Destination "$($into.FullName)/" -Session $counted -Verbose:$verbose 4>$null
                Get-Content -LiteralPath (Join-Path $into 'one.txt') | Should -Be 'one'
                @(Get-ChildItem -LiteralPath $into -Force).Name | Should -Be 'one.txt'
            }
            $counts | Should -Be @(3, 2)
        }

        It 'keeps the post into a folder named relative to the home, which the folder''s lookup shows the session' {
            $counts = Measure-SessionConnection -Variant 'existing', 'new' -Script {
                param($counted, $own, $folder)
                if ($folder -eq 'existing') { $null = New-Item -ItemType Directory -Path (Join-Path $own.Home 'existing') }
                Copy-SbxItem -ToSandbox -LiteralPath $two[1] -Destination "$folder/" -PassThru -Session $counted |
                    ForEach-Object Path | Should -Be (Join-Path $own.Home "$folder/two.txt")
                Get-Content -LiteralPath (Join-Path $own.Home "$folder/two.txt") | Should -Be 'two'
                @(Get-ChildItem -LiteralPath (Join-Path $own.Home $folder) -Force).Name | Should -Be 'two.txt'
            }
            # Three requests at once: the folder, the name in it and the post. (That the post is kept,
            # not let go and sent again, the requests seen through a proxy show: Network.Tests.)
            $counts | Should -Be @(3, 3)
        }

        It 'posts a file of up to 1 MiB alongside, and a larger one only once the plan is made' {
            $counts = Measure-SessionConnection -Variant 1MB, (1MB + 1) -Script {
                param($counted, $own, $size)
                $local = New-RandomFile (Join-Path $work "posted-$size.bin") $size -Seed 5
                $into = New-Item -ItemType Directory -Path (Join-Path $own.Home "sized-$size") -Force
                Copy-SbxItem -ToSandbox -LiteralPath $local -Destination "$($into.FullName)/" -Session $counted
                Get-Sha (Join-Path $into "posted-$size.bin") | Should -Be (Get-Sha $local)
                @(Get-ChildItem -LiteralPath $into -Force).Name | Should -Be "posted-$size.bin"
            }
            $counts | Should -Be @(3, 2)
        }

        It 'lets the post go, leaving no staged file anywhere, when the plan does not copy the file where it went' {
            $root = New-RemoteDir 'posted-let-go'
            New-TextFile (Join-Path $root 'exists.txt') 'old' | Out-Null
            New-Item -ItemType Directory -Path (Join-Path $root 'dotted.dir'), (Join-Path $root 'folder/one.txt') -Force | Out-Null
            $cases = @(
                @{ Destination = 'exists.txt'; Error = 'DestinationExists' }
                @{ Destination = 'folder/'; Error = 'DestinationExists' }
                @{ Destination = 'exists.txt/'; Error = 'DestinationNotAFolder' }
                # A folder named like a file: the post went beside it, the file goes inside it.
                @{ Destination = 'dotted.dir'; Error = $null }
            )
            foreach ($case in $cases) {
                Copy-SbxItem -ToSandbox -LiteralPath $two[0] -Destination "$root/$($case.Destination)" -ErrorAction SilentlyContinue -ErrorVariable err
                if ($case.Error) {
                    $err | Should -HaveCount 1 -Because $case.Destination
                    $err[0].FullyQualifiedErrorId | Should -BeLike "$($case.Error)*"
                }
                else {
                    $err | Should -BeNullOrEmpty
                }
            }
            Get-Content -LiteralPath (Join-Path $root 'exists.txt') | Should -Be 'old'
            Get-Content -LiteralPath (Join-Path $root 'dotted.dir/one.txt') | Should -Be 'one'
            @(Get-ChildItem -LiteralPath $root -Recurse -Force | ForEach-Object { $_.FullName.Substring($root.Length + 1) } | Sort-Object) |
                Should -Be @('dotted.dir', 'dotted.dir/one.txt', 'exists.txt', 'folder', 'folder/one.txt')
            # With -Force the file that was in the way is replaced, from the post sent alongside.
            Copy-SbxItem -ToSandbox -LiteralPath $two[0] -Destination "$root/exists.txt" -Force
            Get-Content -LiteralPath (Join-Path $root 'exists.txt') | Should -Be 'one'
            @(Get-ChildItem -LiteralPath $root -Force).Name | Sort-Object | Should -Be @('dotted.dir', 'exists.txt', 'folder')
        }

        It 'makes the missing folders above a new name from the post, as the copy did before' {
            $root = New-RemoteDir 'posted-parents'
            Copy-SbxItem -ToSandbox -LiteralPath $two[1] -Destination "$root/a/b/two.txt" -PassThru | ForEach-Object Path |
                Should -Be "$root/a/b/two.txt"
            Get-Content -LiteralPath (Join-Path $root 'a/b/two.txt') | Should -Be 'two'
            @(Get-ChildItem -LiteralPath (Join-Path $root 'a/b') -Force).Name | Should -Be 'two.txt'
        }
    }

    Context 'files out: lookups and downloads side by side' {
        It 'asks for a path from the root and for its download side by side, where -Verbose asks one after the other' {
            # Two requests at once need two connections: a new session's pool then holds two.
            $counts = Measure-QuietAndToldConnection -Script {
                param($counted, $own, $verbose)
                $remote = New-RandomFile "$($own.Home)/out-$verbose.bin" (3MB + 5) -Seed 11
                $back = New-LocalDir "alongside-$verbose"
                Copy-SbxItem -FromSandbox -LiteralPath $remote -Destination $back -Session $counted -Verbose:$verbose 4>$null
                Get-Sha (Join-Path $back "out-$verbose.bin") | Should -Be (Get-Sha $remote)
                @(Get-ChildItem -LiteralPath $back -Force).Name | Should -Be "out-$verbose.bin"
            }
            $counts | Should -Be @(2, 1)
        }

        It 'downloads a relative path alongside its lookup once a lookup has shown the session its home' {
            $counts = Measure-QuietAndToldConnection -Script {
                param($counted, $own, $verbose)
                foreach ($name in 'first', 'second') {
                    $null = New-RandomFile "$($own.Home)/rel-$verbose/$name.bin" (1MB + 3) -Seed 12
                }
                $back = New-LocalDir "relative-$verbose"
                # The first relative path is looked up, then downloaded; the second goes side by side.
                foreach ($name in 'first', 'second') {
                    Copy-SbxItem -FromSandbox -LiteralPath "rel-$verbose/$name.bin" -Destination $back -Session $counted -Verbose:$verbose 4>$null
                    Get-Sha (Join-Path $back "$name.bin") | Should -Be (Get-Sha "$($own.Home)/rel-$verbose/$name.bin")
                }
            }
            $counts | Should -Be @(2, 1)
        }

        It 'asks for several paths from the root and for their downloads side by side, where -Verbose asks first' {
            $counts = Measure-QuietAndToldConnection -Script {
                param($counted, $own, $verbose)
                $remote = foreach ($name in 'a', 'b b', 'c#') { New-RandomFile "$($own.Home)/several-out-$verbose/$name.bin" (1MB + 7) -Seed 13 }
                $back = New-LocalDir "several-alongside-$verbose"
                Copy-SbxItem -FromSandbox -LiteralPath $remote -Destination $back -Session $counted -Verbose:$verbose 4>$null
                @(Get-ChildItem -LiteralPath $back -Force).Name | Sort-Object | Should -Be @('a.bin', 'b b.bin', 'c#.bin')
                Get-Sha (Join-Path $back 'b b.bin') | Should -Be (Get-Sha $remote[1])
            }
            # Three lookups and three downloads at once; with -Verbose the downloads wait for the plan.
            $counts | Should -Be @(6, 3)
        }

        It 'lets go the downloads of paths the plan does not copy, copying the others from theirs' {
            $folder = New-RemoteDir 'several-let-go'
            foreach ($name in 'one', 'two', 'kept') { New-TextFile (Join-Path $folder "$name.txt") "remote $name" | Out-Null }
            New-Item -ItemType Directory -Path (Join-Path $folder 'dir') -Force | Out-Null
            $back = New-LocalDir 'several-let-go-back'
            New-TextFile (Join-Path $back 'kept.txt') 'local' | Out-Null
            $paths = 'one.txt', 'dir', 'missing.txt', 'kept.txt', 'two.txt' | ForEach-Object { Join-Path $folder $_ }
            Copy-SbxItem -FromSandbox -LiteralPath $paths -Destination $back -ErrorAction SilentlyContinue -ErrorVariable err
            $err | Should -HaveCount 3
            $err.FullyQualifiedErrorId | ForEach-Object { ($_ -split ',')[0] } | Should -Be @('NotFound', 'DirectoryNeedsRecurse', 'DestinationExists')
            @(Get-ChildItem -LiteralPath $back -Force).Name | Sort-Object | Should -Be @('kept.txt', 'one.txt', 'two.txt')
            Get-Content -LiteralPath (Join-Path $back 'kept.txt') | Should -Be 'local'
            Get-Content -LiteralPath (Join-Path $back 'two.txt') | Should -Be 'remote two'
        }

        It 'asks for several paths, piped or named, side by side, and reports them in the order given' {
            # Missing paths: nothing is downloaded, so the connections a new session holds are its lookups'.
            $own = Start-TestAgent
            try {
                $paths = foreach ($i in 1..8) { "$($own.Home)/absent-$i.txt" }
                $back = New-LocalDir 'side-by-side-lookups'
                $counts = Measure-SessionConnection -Agent $own -Variant 'piped', 'named', 'one at a time' -Script {
                    param($counted, $own, $way)
                    $err = $null
                    switch ($way) {
                        'piped' { $paths | Copy-SbxItem -FromSandbox -Destination $back -Session $counted -ErrorAction SilentlyContinue -ErrorVariable err }
                        'named' { Copy-SbxItem -FromSandbox -LiteralPath $paths -Destination $back -Session $counted -ErrorAction SilentlyContinue -ErrorVariable err }
                        'one at a time' { $paths | Copy-SbxItem -FromSandbox -Destination $back -ThrottleLimit 1 -Session $counted -ErrorAction SilentlyContinue -ErrorVariable err }
                    }
                    $err.TargetObject | Should -Be $paths -Because "the $way paths' errors come in the order given"
                }
                $counts[0] | Should -BeGreaterThan 1
                $counts[1] | Should -BeGreaterThan 1
                $counts[2] | Should -Be 1
                @(Get-ChildItem -LiteralPath $back -Force) | Should -BeNullOrEmpty
            }
            finally {
                Stop-TestAgent $own
            }
        }

        It 'lets the download go when the lookup or the plan does not copy it, reporting as before' {
            $folder = New-RemoteDir 'alongside-src'
            New-TextFile (Join-Path $folder 'kept.txt') 'remote' | Out-Null
            $back = New-LocalDir 'alongside-back'
            New-TextFile (Join-Path $back 'kept.txt') 'local' | Out-Null
            $cases = @(
                @{ Path = $folder; Error = 'DirectoryNeedsRecurse' }
                @{ Path = (Join-Path $folder 'missing.txt'); Error = 'NotFound' }
                @{ Path = (Join-Path $folder 'kept.txt'); Error = 'DestinationExists' }
            )
            foreach ($case in $cases) {
                Copy-SbxItem -FromSandbox -LiteralPath $case.Path -Destination $back -ErrorAction SilentlyContinue -ErrorVariable err
                $err | Should -HaveCount 1
                $err[0].FullyQualifiedErrorId | Should -BeLike "$($case.Error)*"
            }
            Get-Content -LiteralPath (Join-Path $back 'kept.txt') | Should -Be 'local'
            @(Get-ChildItem -LiteralPath $back -Force).Name | Should -Be 'kept.txt'
            # The same file with -Force is copied, from the download sent alongside.
            Copy-SbxItem -FromSandbox -LiteralPath (Join-Path $folder 'kept.txt') -Destination $back -Force
            Get-Content -LiteralPath (Join-Path $back 'kept.txt') | Should -Be 'remote'
        }

        It 'with -Recurse, lists a tree alongside its lookup, and lets the listing go for a file or a missing path, reporting as before' {
            $folder = New-RemoteDir 'listed-src'
            New-TextFile (Join-Path $folder 'tree/inner/deep.txt') 'deep' | Out-Null
            New-TextFile (Join-Path $folder 'alone.txt') 'alone' | Out-Null
            $back = New-LocalDir 'listed-back'
            # A tree: its listing is taken by its copy; a file's (which fails) is let go, the file downloaded.
            Copy-SbxItem -FromSandbox -LiteralPath (Join-Path $folder 'tree'), (Join-Path $folder 'alone.txt') -Destination $back -Recurse -ErrorVariable err
            $err | Should -BeNullOrEmpty
            Get-Content -LiteralPath (Join-Path $back 'tree/inner/deep.txt') | Should -Be 'deep'
            Get-Content -LiteralPath (Join-Path $back 'alone.txt') | Should -Be 'alone'
            # Missing: the listing let go; a local file where the tree would go: the tree's copy fails, as before.
            New-TextFile (Join-Path $back 'blocked') 'local' | Out-Null
            New-Item -ItemType Directory -Path (Join-Path $folder 'blocked') | Out-Null
            $cases = @(
                @{ Path = (Join-Path $folder 'missing'); Error = 'NotFound' }
                @{ Path = (Join-Path $folder 'blocked'); Error = 'LocalFileError' }
            )
            foreach ($case in $cases) {
                Copy-SbxItem -FromSandbox -LiteralPath $case.Path -Destination $back -Recurse -ErrorAction SilentlyContinue -ErrorVariable err
                $err | Should -HaveCount 1
                $err[0].FullyQualifiedErrorId | Should -BeLike "$($case.Error)*"
            }
            Get-Content -LiteralPath (Join-Path $back 'blocked') | Should -Be 'local'
            @(Get-ChildItem -LiteralPath $back -Force).Name | Sort-Object | Should -Be @('alone.txt', 'blocked', 'tree')
        }
    }

    Context 'directory trees' {
        BeforeAll {
            $source = Join-Path $work 'tree-src'
            New-TextFile (Join-Path $source 'a.txt') 'a' | Out-Null
            New-RandomFile (Join-Path $source 'sub/b.bin') 100000 | Out-Null
            New-TextFile (Join-Path $source 'sub/with space #1.txt') 'spaced' | Out-Null
            New-TextFile (Join-Path $source 'sub/deeper/c.txt') 'c' | Out-Null
            New-Item -ItemType Directory -Path (Join-Path $source 'empty') | Out-Null
            $expectedTree = Get-Tree $source
        }

        It 'copies a tree into an existing sandbox directory with -Recurse' {
            $into = New-RemoteDir 'trees/into'
            $out = Copy-SbxItem -ToSandbox -Path $source -Destination trees/into -Recurse
            $out | Should -BeNullOrEmpty
            Get-Tree (Join-Path $into 'tree-src') | Should -Be $expectedTree
            Get-StagingFile $into | Should -BeNullOrEmpty
        }

        It 'copies a tree into the sandbox under a new name, creating its parents' {
            Copy-SbxItem -ToSandbox -Path $source -Destination trees/fresh/renamed -Recurse
            Get-Tree (Join-Path $agent.Home 'trees/fresh/renamed') | Should -Be $expectedTree
        }

        It 'returns a sandbox item for every file and directory uploaded with -PassThru' {
            $out = Copy-SbxItem -ToSandbox -Path $source -Destination trees/passthru -Recurse -PassThru
            $out | ForEach-Object { $_ | Should -BeOfType ([ScaleBox.Sandbox.Client.Files.SandboxItem]) }
            $out | Should -HaveCount $expectedTree.Count
            $base = Join-Path $agent.Home 'trees/passthru'
            ($out.Path | Sort-Object) | Should -Be (Get-ChildItem -LiteralPath $base -Recurse -Force | ForEach-Object FullName | Sort-Object)
        }

        It 'copies a tree out of the sandbox into an existing local directory with -Recurse' {
            New-Item -ItemType Directory -Path (Join-Path $agent.Home 'trees/download') -Force | Out-Null
            Copy-SbxItem -ToSandbox -Path (Join-Path $source '*') -Destination trees/download -Recurse
            $into = New-LocalDir 'tree-into'
            $out = Copy-SbxItem -FromSandbox -Path trees/download -Destination $into -Recurse
            $out | Should -BeNullOrEmpty
            Get-Tree (Join-Path $into 'download') | Should -Be $expectedTree
            Get-StagingFile $into | Should -BeNullOrEmpty
        }

        It 'copies a tree out of the sandbox to a new local name, creating its parents' {
            $target = Join-Path $work 'tree-new/parent/renamed'
            Copy-SbxItem -FromSandbox -Path trees/fresh/renamed -Destination $target -Recurse
            Get-Tree $target | Should -Be $expectedTree
        }

        It 'returns FileInfo and DirectoryInfo objects for a tree downloaded with -PassThru' {
            $target = Join-Path $work 'tree-passthru'
            $out = Copy-SbxItem -FromSandbox -Path trees/fresh/renamed -Destination $target -Recurse -PassThru
            $out | Should -HaveCount $expectedTree.Count
            @($out | Where-Object { $_ -is [System.IO.FileInfo] }) | Should -HaveCount 4
            @($out | Where-Object { $_ -is [System.IO.DirectoryInfo] }) | Should -HaveCount 3
            ($out.FullName | Sort-Object) | Should -Be (Get-ChildItem -LiteralPath $target -Recurse -Force | ForEach-Object FullName | Sort-Object)
        }

        It 'refuses a local directory without -Recurse (DirectoryNeedsRecurse)' {
            $out = Copy-SbxItem -ToSandbox -Path $source -Destination trees/norecurse -ErrorAction SilentlyContinue -ErrorVariable err
            $out | Should -BeNullOrEmpty
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -Be 'DirectoryNeedsRecurse,ScaleBox.Sandbox.Commands.CopySbxItemCommand'
            $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err[0].TargetObject | Should -Be $source
            Test-Path -LiteralPath (Join-Path $agent.Home 'trees/norecurse') | Should -BeFalse
        }

        It 'refuses a sandbox directory without -Recurse (DirectoryNeedsRecurse)' {
            $target = Join-Path $work 'tree-norecurse'
            $out = Copy-SbxItem -FromSandbox -Path trees/fresh/renamed -Destination $target -ErrorAction SilentlyContinue -ErrorVariable err
            $out | Should -BeNullOrEmpty
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -Be 'DirectoryNeedsRecurse,ScaleBox.Sandbox.Commands.CopySbxItemCommand'
            $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err[0].TargetObject | Should -Be (Join-Path $agent.Home 'trees/fresh/renamed')
            Test-Path -LiteralPath $target | Should -BeFalse
        }

        It 'merges into an existing sandbox tree: existing files are refused without -Force, new ones copied' {
            $remote = Join-Path $agent.Home 'trees/merge-up'
            New-TextFile (Join-Path $remote 'a.txt') 'old a' | Out-Null
            New-TextFile (Join-Path $remote 'sub/deeper/c.txt') 'old c' | Out-Null

            Copy-SbxItem -ToSandbox -Path (Join-Path $source '*') -Destination trees/merge-up -Recurse -ErrorAction SilentlyContinue -ErrorVariable err
            $err | Should -HaveCount 2
            $err.CategoryInfo.Category | Should -Be @('ResourceExists', 'ResourceExists')
            Get-Content -LiteralPath (Join-Path $remote 'a.txt') -Raw | Should -Be 'old a'
            Get-Content -LiteralPath (Join-Path $remote 'sub/deeper/c.txt') -Raw | Should -Be 'old c'
            Get-Content -LiteralPath (Join-Path $remote 'sub/with space #1.txt') -Raw | Should -Be 'spaced'
            Get-Sha (Join-Path $remote 'sub/b.bin') | Should -Be (Get-Sha (Join-Path $source 'sub/b.bin'))

            Copy-SbxItem -ToSandbox -Path (Join-Path $source '*') -Destination trees/merge-up -Recurse -Force -ErrorVariable err
            $err | Should -BeNullOrEmpty
            Get-Tree $remote | Should -Be $expectedTree
            Get-StagingFile $remote | Should -BeNullOrEmpty
        }

        It 'merges into an existing local tree: existing files are refused without -Force, new ones copied' {
            $local = Join-Path $work 'tree-merge-down'
            New-TextFile (Join-Path $local 'renamed/a.txt') 'old a' | Out-Null

            Copy-SbxItem -FromSandbox -Path trees/fresh/renamed -Destination $local -Recurse -ErrorAction SilentlyContinue -ErrorVariable err
            $err | Should -HaveCount 1
            $err[0].CategoryInfo.Category | Should -Be 'ResourceExists'
            Get-Content -LiteralPath (Join-Path $local 'renamed/a.txt') -Raw | Should -Be 'old a'
            Get-Content -LiteralPath (Join-Path $local 'renamed/sub/deeper/c.txt') -Raw | Should -Be 'c'

            Copy-SbxItem -FromSandbox -Path trees/fresh/renamed -Destination $local -Recurse -Force -ErrorVariable err
            $err | Should -BeNullOrEmpty
            Get-Tree (Join-Path $local 'renamed') | Should -Be $expectedTree
            Get-StagingFile $local | Should -BeNullOrEmpty
        }
    }

    Context 'trees of many small files, several in flight' {
        BeforeAll {
            $many = Join-Path $work 'many-src'
            $folders = 'plain', 'with space', 'hash #1', 'per%cent', 'ünï cødé', 'deep/er'
            for ($i = 0; $i -lt 60; $i++) {
                $folder = Join-Path $many $folders[$i % $folders.Count]
                $name = ('f{0}.txt', 'file {0} #.bin', '{0}%20é.dat')[$i % 3] -f $i
                New-RandomFile (Join-Path $folder $name) (4096 + $i) -Seed $i | Out-Null
            }
            New-Item -ItemType Directory -Path (Join-Path $many 'empty/inside') -Force | Out-Null
            $manyTree = Get-Tree $many
        }

        It 'copies the tree up and back unchanged with -ThrottleLimit <Limit>' -ForEach @(@{ Limit = 1 }, @{ Limit = 16 }) {
            $remote = "many/up-$Limit"
            Copy-SbxItem -ToSandbox -Path $many -Destination $remote -Recurse -ThrottleLimit $Limit -ErrorVariable err
            $err | Should -BeNullOrEmpty
            Get-Tree (Join-Path $agent.Home $remote) | Should -Be $manyTree
            $back = Join-Path $work "many-back-$Limit"
            Copy-SbxItem -FromSandbox -Path $remote -Destination $back -Recurse -ThrottleLimit $Limit -ErrorVariable err
            $err | Should -BeNullOrEmpty
            Get-Tree $back | Should -Be $manyTree
            Get-StagingFile (Join-Path $agent.Home $remote) | Should -BeNullOrEmpty
            Get-StagingFile $back | Should -BeNullOrEmpty
        }

        It 'returns one item per file and directory with -PassThru when files finish out of order' {
            $out = Copy-SbxItem -ToSandbox -Path $many -Destination many/passthru -Recurse -PassThru -ThrottleLimit 8
            $out | Should -HaveCount $manyTree.Count
            ($out.Path | Sort-Object) | Should -Be (Get-ChildItem -LiteralPath (Join-Path $agent.Home 'many/passthru') -Recurse -Force | ForEach-Object FullName | Sort-Object)
        }

        It 'asks for a tree''s destination (<Case>) and its listing side by side, one file at a time after' -ForEach @(
            @{ Case = 'merged into'; Direction = 'ToSandbox' }
            @{ Case = 'copied out of'; Direction = 'FromSandbox' }
        ) {
            $one = New-TextFile (Join-Path $work "side-by-side-$Direction/only.txt") 'only'
            $extra = New-TextFile (Join-Path $work 'side-by-side-extra.txt') 'extra'
            $counts = Measure-SessionConnection -Variant $Direction -Script {
                param($counted, $own, $direction)
                if ($direction -eq 'ToSandbox') {
                    # The tree goes into the folder, where a folder of its name is already: both exist.
                    # With a second item, more than -ThrottleLimit, the names in the folder are asked
                    # for once it is known, one at a time: only the tree's copy asks two things at once.
                    $into = New-Item -ItemType Directory -Path (Join-Path $own.Home "merged/side-by-side-$direction") -Force
                    Copy-SbxItem -ToSandbox -LiteralPath (Split-Path $one), $extra -Destination (Split-Path $into) -Recurse -ThrottleLimit 1 -Session $counted
                    Get-Content -LiteralPath (Join-Path $into 'only.txt') | Should -Be 'only'
                    Get-Content -LiteralPath (Join-Path (Split-Path $into) 'side-by-side-extra.txt') | Should -Be 'extra'
                }
                else {
                    $source = New-Item -ItemType Directory -Path (Join-Path $own.Home 'out-of') -Force
                    Copy-Item -LiteralPath $one -Destination $source
                    $back = Join-Path $work 'side-by-side-back'
                    Copy-SbxItem -FromSandbox -LiteralPath $source.FullName -Destination $back -Recurse -ThrottleLimit 1 -Session $counted
                    Get-Content -LiteralPath (Join-Path $back 'only.txt') | Should -Be 'only'
                }
            }
            # The destination's lookup, then the tree's Stat and listing at once (two connections), then the file.
            $counts | Should -Be 2
        }

        It 'refuses a -ThrottleLimit of <Limit>' -ForEach @(@{ Limit = 0 }, @{ Limit = 65 }) {
            { Copy-SbxItem -ToSandbox -Path $many -Destination many/refused -Recurse -ThrottleLimit $Limit } |
                Should -Throw -ErrorId 'ParameterArgumentValidationError,ScaleBox.Sandbox.Commands.CopySbxItemCommand'
            Test-Path -LiteralPath (Join-Path $agent.Home 'many/refused') | Should -BeFalse
        }

        It 'leaves only complete files when a tree upload is stopped midway' {
            $big = Join-Path $work 'stop-tree'
            for ($i = 0; $i -lt 24; $i++) { New-SparseFile (Join-Path $big "d$($i % 3)/part $i.bin") 64MB | Out-Null }
            $remote = New-RemoteDir 'stop-tree'
            $run = Start-InRunspace "`$ProgressPreference = 'SilentlyContinue'; Copy-SbxItem -ToSandbox -LiteralPath '$big' -Destination stop-tree -Recurse -ThrottleLimit 4"
            try {
                $done = { @(Get-ChildItem -LiteralPath $remote -Recurse -File -Force | Where-Object Name -NotLike '.*') }
                Wait-Until { (& $done).Count -gt 0 -or $run.Async.IsCompleted } | Should -BeTrue
                $run.Async.IsCompleted | Should -BeFalse -Because '24 files of 64 MB are still being copied'
                $stop = $run.PowerShell.BeginStop($null, $null)
                $stop.AsyncWaitHandle.WaitOne(15000) | Should -BeTrue -Because 'stopping ends the copy'
            }
            finally {
                $run.PowerShell.Dispose()
            }
            # The staging names of the client (.x.sbxpart-) and the agent (.sbx-upload-) go once the uploads are cancelled.
            Wait-Until { -not (Get-ChildItem -LiteralPath $remote -Recurse -File -Force | Where-Object Name -Like '.*') } -TimeoutSec 10 | Out-Null
            Get-ChildItem -LiteralPath $remote -Recurse -File -Force | Where-Object Name -Like '.*' | Should -BeNullOrEmpty
            $copied = @(Get-ChildItem -LiteralPath $remote -Recurse -File -Force)
            $copied.Count | Should -BeLessThan 24
            $copied | ForEach-Object { $_.Length | Should -Be 64MB -Because "$($_.FullName) is under its final name" }
        }
    }

    Context 'trees packed into one tar stream' {
        BeforeAll {
            $packedSrc = Join-Path $work 'packed-src'
            $folders = 'plain', 'with space', 'hash #1', 'per%cent', 'ünï cødé', 'deep/er/est'
            for ($i = 0; $i -lt 40; $i++) {
                $folder = Join-Path $packedSrc $folders[$i % $folders.Count]
                $name = ('f{0}.txt', 'file {0} #.bin', '{0}%20é.dat', 'ü{0}')[$i % 4] -f $i
                New-RandomFile (Join-Path $folder $name) ((0, 4096, 70000)[$i % 3] + $i) -Seed $i | Out-Null
            }
            New-Item -ItemType Directory -Path (Join-Path $packedSrc 'empty/inside empty') -Force | Out-Null
            $packedTree = Get-Tree $packedSrc
            $packedHolder = New-RemoteDir 'packed'
        }

        It 'copies a new tree into the sandbox as one stream (-Packing Always), byte for byte, with -PassThru items' {
            $out = Copy-SbxItem -ToSandbox -Path $packedSrc -Destination packed/new/up -Recurse -Packing Always -PassThru -ErrorVariable err
            $err | Should -BeNullOrEmpty
            Get-Tree (Join-Path $packedHolder 'new/up') | Should -Be $packedTree
            $out | Should -HaveCount $packedTree.Count
            ($out.Path | Sort-Object) | Should -Be (Get-ChildItem -LiteralPath (Join-Path $packedHolder 'new/up') -Recurse -Force | ForEach-Object FullName | Sort-Object)
            Get-ChildItem -LiteralPath $packedHolder -Recurse -Force | Where-Object Name -Like '.*' | Should -BeNullOrEmpty
        }

        It 'refuses -Packing Always into an existing sandbox directory before writing anything (AlreadyExists)' {
            # The folder is copied into packed/existing under its own name, which is there already.
            $existing = New-RemoteDir 'packed/existing/packed-src'
            { Copy-SbxItem -ToSandbox -Path $packedSrc -Destination packed/existing -Recurse -Packing Always -ErrorAction Stop } |
                Should -Throw -ErrorId 'AlreadyExists*'
            Get-ChildItem -LiteralPath $existing -Force | Should -BeNullOrEmpty
            Get-ChildItem -LiteralPath (Split-Path -Parent $existing) -Force | ForEach-Object Name | Should -Be 'packed-src'
        }

        It 'merges into an existing sandbox directory file by file with the default -Packing Auto' {
            $merge = New-RemoteDir 'packed/merge/packed-src'
            New-TextFile (Join-Path $merge 'only remote.txt') 'untouched' | Out-Null
            Copy-SbxItem -ToSandbox -Path $packedSrc -Destination packed/merge -Recurse -ErrorVariable err
            $err | Should -BeNullOrEmpty
            Get-Content -LiteralPath (Join-Path $merge 'only remote.txt') | Should -Be 'untouched'
            Get-Tree $merge | Where-Object { $_ -notlike 'only remote.txt=*' } | Should -Be $packedTree
        }

        It 'copies a tree out of the sandbox to a new local folder as one stream (-Packing Always), byte for byte' {
            Copy-SbxItem -ToSandbox -Path $packedSrc -Destination packed/down-src -Recurse -Packing Never
            $back = Join-Path $work 'packed-back/new/tree'
            $out = Copy-SbxItem -FromSandbox -Path packed/down-src -Destination $back -Recurse -Packing Always -PassThru -ErrorVariable err
            $err | Should -BeNullOrEmpty
            Get-Tree $back | Should -Be $packedTree
            $out | Should -HaveCount $packedTree.Count
            $out | ForEach-Object { $_ | Should -BeOfType ([System.IO.FileSystemInfo]) }
            Get-ChildItem -LiteralPath (Join-Path $work 'packed-back') -Recurse -Force | Where-Object Name -Like '.*' | Should -BeNullOrEmpty
            Get-ChildItem -LiteralPath /tmp -Force -Filter '.down-src.tar.sbxpart-*' | Should -BeNullOrEmpty
        }

        It 'warns about a link in a packed download and writes nothing outside the destination' {
            $linked = New-RemoteDir 'packed/linked'
            New-TextFile (Join-Path $linked 'real.txt') 'real' | Out-Null
            $outside = New-LocalDir 'packed-outside'
            New-Item -ItemType SymbolicLink -Path (Join-Path $linked 'escape') -Target $outside | Out-Null
            $back = Join-Path $work 'packed-linked-back'
            Copy-SbxItem -FromSandbox -Path packed/linked -Destination $back -Recurse -Packing Always -WarningVariable warned -WarningAction SilentlyContinue -ErrorVariable err
            $err | Should -BeNullOrEmpty
            $warned | Should -HaveCount 1
            "$warned" | Should -BeLike '*escape*symbolic link*'
            Get-ChildItem -LiteralPath $back -Force | ForEach-Object Name | Should -Be 'real.txt'
            Get-ChildItem -LiteralPath $outside -Force | Should -BeNullOrEmpty
        }

        It 'copies all but a local file it cannot open, reported as one error (-Packing <Packing>)' -ForEach @(@{ Packing = 'Never' }, @{ Packing = 'Always' }) {
            $locked = Join-Path $packedSrc 'plain/locked.bin'
            New-RandomFile $locked 5000 -Seed 99 | Out-Null
            $hold = Open-ExclusiveFile $locked
            try {
                Copy-SbxItem -ToSandbox -Path $packedSrc -Destination "packed/locked-$Packing" -Recurse -Packing $Packing -ErrorAction SilentlyContinue -ErrorVariable err
            }
            finally {
                $hold.Dispose()
                Remove-Item -LiteralPath $locked
            }
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'LocalFileError,*'
            $err[0].CategoryInfo.Category | Should -Be 'ReadError'
            $err[0].TargetObject | Should -Be $locked
            Get-Tree (Join-Path $packedHolder "locked-$Packing") | Should -Be $packedTree
        }

        It 'refuses -Packing Always into an existing local folder (AlreadyExists) and merges with Auto' {
            Copy-SbxItem -ToSandbox -Path $packedSrc -Destination packed/down-merge -Recurse -Packing Never
            $back = New-LocalDir 'packed-merge-back/down-merge'
            New-TextFile (Join-Path $back 'only local.txt') 'untouched' | Out-Null
            { Copy-SbxItem -FromSandbox -Path packed/down-merge -Destination (Split-Path -Parent $back) -Recurse -Packing Always -ErrorAction Stop } |
                Should -Throw -ErrorId 'AlreadyExists*'
            Get-ChildItem -LiteralPath $back -Force | ForEach-Object Name | Should -Be 'only local.txt'
            Copy-SbxItem -FromSandbox -Path packed/down-merge -Destination (Split-Path -Parent $back) -Recurse -ErrorVariable err
            $err | Should -BeNullOrEmpty
            Get-Content -LiteralPath (Join-Path $back 'only local.txt') | Should -Be 'untouched'
            Get-Tree $back | Where-Object { $_ -notlike 'only local.txt=*' } | Should -Be $packedTree
        }

        It 'leaves no destination and no staging directory when a packed upload is stopped midway' {
            $big = Join-Path $work 'packed-stop'
            for ($i = 0; $i -lt 8; $i++) { New-SparseFile (Join-Path $big "d$($i % 2)/part $i.bin") 64MB | Out-Null }
            $holder = New-RemoteDir 'packed-stop'
            $run = Start-InRunspace "`$ProgressPreference = 'SilentlyContinue'; Copy-SbxItem -ToSandbox -LiteralPath '$big' -Destination packed-stop/tree -Recurse -Packing Always"
            try {
                # The archive's staging file appears beside the destination as soon as the upload starts.
                Wait-Until { @(Get-ChildItem -LiteralPath $holder -Force).Count -gt 0 -or $run.Async.IsCompleted } | Should -BeTrue
                $run.Async.IsCompleted | Should -BeFalse -Because '512 MB are still being sent'
                $stop = $run.PowerShell.BeginStop($null, $null)
                $stop.AsyncWaitHandle.WaitOne(15000) | Should -BeTrue -Because 'stopping ends the copy'
            }
            finally {
                $run.PowerShell.Dispose()
            }
            Wait-Until { @(Get-ChildItem -LiteralPath $holder -Force).Count -eq 0 } -TimeoutSec 10 | Out-Null
            Get-ChildItem -LiteralPath $holder -Force | Should -BeNullOrEmpty -Because 'neither the destination nor a staging name may be left'
        }
    }

    Context '-Exclude' {
        BeforeAll {
            function New-ProjectTree([string] $Root, [int] $Extra = 0) {
                <# A project with what is usually left out: .git and node_modules folders, and compiled files at any depth. #>
                foreach ($file in 'main.py', 'lib/util.py', 'lib/util.pyc', 'lib/deep/x.pyc', 'lib/deep/UPPER.PYC', 'lib/deep/keep.txt',
                    '.git/HEAD', '.git/objects/ab/cdef', 'node_modules/pkg/index.js', 'web/node_modules/m.js', 'web/app.js') {
                    New-TextFile (Join-Path $Root $file) $file | Out-Null
                }
                foreach ($i in @(if ($Extra -gt 0) { 1..$Extra })) { New-TextFile (Join-Path $Root "many/f$i.txt") "$i" | Out-Null }
                $Root
            }
            # What is left once .git, node_modules (at any depth) and *.pyc are left out: names match
            # case-sensitively, as sandbox names and Get-SbxChildItem -Exclude do.
            $kept = @('lib/', 'lib/deep/', 'lib/deep/keep.txt', 'lib/deep/UPPER.PYC', 'lib/util.py', 'main.py', 'web/', 'web/app.js')
            $exclude = @('.git', 'node_modules', '*.pyc')
        }

        It 'leaves out matching files and folders at any depth of an upload, <Packing>' -ForEach @(
            @{ Packing = 'Never' }
            @{ Packing = 'Always' }
        ) {
            $source = New-ProjectTree (Join-Path $work "exclude-up-$Packing")
            $out = Copy-SbxItem -ToSandbox -Path $source -Destination "excluded/up-$Packing" -Recurse -Exclude $exclude -Packing $Packing -PassThru -WarningVariable warned
            $landed = Join-Path $agent.Home "excluded/up-$Packing"
            (Get-Tree $landed | ForEach-Object { ($_ -split '=')[0] }) | Should -Be $kept
            $out.Count | Should -Be $kept.Count -Because 'what is left out gets no output'
            $warned | Should -BeNullOrEmpty -Because 'leaving out what was asked is not a skip to warn of'
        }

        It 'leaves out matching files and folders of a download, also of a tree big enough to be packed' {
            $remote = New-ProjectTree (Join-Path $agent.Home 'exclude-down') -Extra 40
            $target = Join-Path $work 'exclude-down'
            Copy-SbxItem -FromSandbox -Path exclude-down -Destination $target -Recurse -Exclude ($exclude + 'many')
            (Get-Tree $target | ForEach-Object { ($_ -split '=')[0] }) | Should -Be $kept
        }

        It 'refuses -Packing Always for a download that leaves something out, before writing anything' {
            $target = Join-Path $work 'exclude-always'
            $out = Copy-SbxItem -FromSandbox -Path exclude-down -Destination $target -Recurse -Exclude '*.pyc' -Packing Always -ErrorAction SilentlyContinue -ErrorVariable err
            $out | Should -BeNullOrEmpty
            $err[0].Exception.Message | Should -Match 'packed download takes the whole directory'
            Test-Path -LiteralPath $target | Should -BeFalse
        }

        It 'leaves out the items that -Path names when their names match, still copying into a folder' {
            $root = New-LocalDir 'exclude-top'
            foreach ($name in 'a.txt', 'b.log', 'c.txt') { New-TextFile (Join-Path $root $name) $name | Out-Null }
            Copy-SbxItem -ToSandbox -Path (Join-Path $root '*') -Destination excluded/top -Exclude '*.log'
            (Get-ChildItem -LiteralPath (Join-Path $agent.Home 'excluded/top')).Name | Should -Be @('a.txt', 'c.txt')
            # Two named, one left out: the destination is still a folder to copy into.
            Copy-SbxItem -ToSandbox -Path (Join-Path $root 'a.txt'), (Join-Path $root 'b.log') -Destination excluded/two -Exclude 'b.*'
            Test-Path -LiteralPath (Join-Path $agent.Home 'excluded/two/a.txt') -PathType Leaf | Should -BeTrue
            Copy-SbxItem -FromSandbox -Path 'excluded/top/*' -Destination (Join-Path $work 'exclude-top-down') -Exclude 'c*'
            (Get-ChildItem -LiteralPath (Join-Path $work 'exclude-top-down')).Name | Should -Be 'a.txt'
        }
    }

    Context 'wildcards and literal paths' {
        BeforeAll {
            foreach ($name in 'a.log', 'b.log', 'c.txt') {
                New-TextFile (Join-Path $work "wild/$name") $name | Out-Null
                New-TextFile (Join-Path $agent.Home "wild/$name") $name | Out-Null
            }
            foreach ($side in $work, $agent.Home) {
                New-TextFile (Join-Path $side 'lit/x[1].txt') 'bracket' | Out-Null
                New-TextFile (Join-Path $side 'lit/x1.txt') 'plain' | Out-Null
            }
        }

        It 'expands a wildcard in a local -Path' {
            $into = New-RemoteDir 'wild-up'
            Copy-SbxItem -ToSandbox -Path (Join-Path $work 'wild/*.log') -Destination wild-up
            (Get-ChildItem -LiteralPath $into -Force).Name | Sort-Object | Should -Be @('a.log', 'b.log')
        }

        It 'expands a wildcard in a sandbox -Path' {
            $into = New-LocalDir 'wild-down'
            $out = Copy-SbxItem -FromSandbox -Path 'wild/*.log' -Destination $into -PassThru
            $out.Name | Sort-Object | Should -Be @('a.log', 'b.log')
            (Get-ChildItem -LiteralPath $into -Force).Name | Sort-Object | Should -Be @('a.log', 'b.log')
            Get-Content -LiteralPath (Join-Path $into 'a.log') -Raw | Should -Be 'a.log'
        }

        It 'takes a sandbox -LiteralPath as written' {
            $into = New-LocalDir 'literal-down'
            Copy-SbxItem -FromSandbox -LiteralPath 'lit/x[1].txt' -Destination $into
            (Get-ChildItem -LiteralPath $into -Force).Name | Should -Be 'x[1].txt'
            Get-Content -LiteralPath (Join-Path $into 'x[1].txt') -Raw | Should -Be 'bracket'
        }

        It 'takes a local -LiteralPath as written' {
            $into = New-RemoteDir 'literal-up'
            Copy-SbxItem -ToSandbox -LiteralPath (Join-Path $work 'lit/x[1].txt') -Destination literal-up
            (Get-ChildItem -LiteralPath $into -Force).Name | Should -Be 'x[1].txt'
            Get-Content -LiteralPath (Join-Path $into 'x[1].txt') -Raw | Should -Be 'bracket'
        }

        It 'reads brackets in a sandbox -Path as a pattern' {
            $into = New-LocalDir 'pattern-down'
            Copy-SbxItem -FromSandbox -Path 'lit/x[1].txt' -Destination $into
            (Get-ChildItem -LiteralPath $into -Force).Name | Should -Be 'x1.txt'
        }
    }

    Context 'destinations that are folders' {
        BeforeAll {
            $two = @((New-TextFile (Join-Path $work 'several/one.txt') 'one'), (New-TextFile (Join-Path $work 'several/two.txt') 'two'))
            New-TextFile (Join-Path $agent.Home 'several-src/one.txt') 'one' | Out-Null
            New-TextFile (Join-Path $agent.Home 'several-src/two.txt') 'two' | Out-Null
        }

        It 'copies several files into a sandbox folder that does not exist yet, making it' {
            Copy-SbxItem -ToSandbox -Path $two -Destination several-new
            (Get-ChildItem -LiteralPath (Join-Path $agent.Home 'several-new')).Name | Should -Be @('one.txt', 'two.txt')
            Get-Content -LiteralPath (Join-Path $agent.Home 'several-new/two.txt') | Should -Be 'two'
        }

        It 'asks for the destination and for one file''s name in it side by side, and posts a file going into "folder/" alongside' {
            # Requests at once need a connection each. Written "folder/", the destination is a folder
            # whatever it is, so the file's post to its staging name there goes with the two lookups;
            # so it does to a name that looks like a file's, new or there. The lookup below a new name,
            # or below a file, ends by itself (not cut, which would close its connection).
            $own = Start-TestAgent
            try {
                New-Item -ItemType File -Path (Join-Path $own.Home 'there.txt') -Value 'old' | Out-Null
                $counts = Measure-SessionConnection -Agent $own -Variant 'folder', 'folder/', 'new-name.txt', 'there.txt' -Script {
                    param($counted, $own, $written)
                    New-Item -ItemType Directory -Path (Join-Path $own.Home 'folder') -Force | Out-Null
                    Copy-SbxItem -ToSandbox -LiteralPath $two[0] -Destination $written -Force -Session $counted
                }
                $counts | Should -Be @(2, 3, 3, 3)
                Get-Content -LiteralPath (Join-Path $own.Home 'folder/one.txt') | Should -Be 'one'
                Get-Content -LiteralPath (Join-Path $own.Home 'new-name.txt') | Should -Be 'one'
                Get-Content -LiteralPath (Join-Path $own.Home 'there.txt') | Should -Be 'one'
                # Nothing was made below the new name for the lookup that was let go.
                Test-Path -LiteralPath (Join-Path $own.Home 'new-name.txt') -PathType Leaf | Should -BeTrue
            }
            finally {
                Stop-TestAgent $own
            }
        }

        It 'copies a file onto an existing file named as the destination, letting go of the lookup below it' {
            New-TextFile (Join-Path $agent.Home 'onto-file.txt') 'old' | Out-Null
            Copy-SbxItem -ToSandbox -LiteralPath $two[1] -Destination onto-file.txt -Force -ErrorVariable err
            $err | Should -BeNullOrEmpty
            Get-Content -LiteralPath (Join-Path $agent.Home 'onto-file.txt') | Should -Be 'two'
            Copy-SbxItem -ToSandbox -LiteralPath $two[0] -Destination onto-file.txt -ErrorAction SilentlyContinue -ErrorVariable err
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -Be 'DestinationExists,ScaleBox.Sandbox.Commands.CopySbxItemCommand'
            Get-Content -LiteralPath (Join-Path $agent.Home 'onto-file.txt') | Should -Be 'two'
        }

        It 'copies one file into a sandbox folder written with a trailing slash' {
            Copy-SbxItem -ToSandbox -Path $two[0] -Destination slash-new/ -PassThru | ForEach-Object Path |
                Should -Be (Join-Path $agent.Home 'slash-new/one.txt')
            Get-Content -LiteralPath (Join-Path $agent.Home 'slash-new/one.txt') | Should -Be 'one'
        }

        It 'copies several sandbox files into a local folder that does not exist yet, making it' {
            $into = Join-Path $work 'several-down'
            Copy-SbxItem -FromSandbox -Path several-src/*.txt -Destination $into
            (Get-ChildItem -LiteralPath $into).Name | Should -Be @('one.txt', 'two.txt')
            Get-Content -LiteralPath (Join-Path $into 'one.txt') | Should -Be 'one'
        }

        It 'copies one sandbox file into a local folder written with a trailing slash' {
            $into = Join-Path $work 'slash-down'
            $out = Copy-SbxItem -FromSandbox -Path several-src/one.txt -Destination "$into/" -PassThru
            $out.FullName | Should -Be (Join-Path $into 'one.txt')
            Get-Content -LiteralPath $out.FullName | Should -Be 'one'
        }

        It 'still names a single file after a missing destination without a trailing slash' {
            Copy-SbxItem -ToSandbox -Path $two[0] -Destination renamed-single.txt
            Get-Content -LiteralPath (Join-Path $agent.Home 'renamed-single.txt') | Should -Be 'one'
        }

        It 'copies several files named on their own side by side, byte for byte, with -PassThru items and errors in the order named' {
            $names = foreach ($i in 1..12) { "side $i #.bin" }
            $sources = for ($i = 0; $i -lt $names.Count; $i++) { New-RandomFile (Join-Path $work "side/$($names[$i])") (300000 * ($i % 4) + 1000) -Seed $i }
            $hold = Open-ExclusiveFile $sources[4]
            try {
                $out = Copy-SbxItem -ToSandbox -LiteralPath $sources -Destination side-into -ThrottleLimit 4 -PassThru -ErrorAction SilentlyContinue -ErrorVariable err
            }
            finally {
                $hold.Dispose()
            }
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -Be 'LocalFileError,ScaleBox.Sandbox.Commands.CopySbxItemCommand'
            $err[0].TargetObject | Should -Be $sources[4]
            $out.Name | Should -Be @($names | Where-Object { $_ -ne $names[4] })
            foreach ($source in $sources | Where-Object { $_ -ne $sources[4] }) {
                (Get-FileHash -LiteralPath (Join-Path $agent.Home "side-into/$(Split-Path -Leaf $source)")).Hash | Should -Be (Get-FileHash -LiteralPath $source).Hash
            }
            Get-ChildItem -LiteralPath (Join-Path $agent.Home 'side-into') -Force | Where-Object Name -NotIn $names | Should -BeNullOrEmpty -Because 'no staging file is left'
            Test-Path -LiteralPath (Join-Path $agent.Home "side-into/$($names[4])") | Should -BeFalse
        }

        It 'copies several files one at a time with -ThrottleLimit 1, in the order named' {
            $sources = foreach ($i in 1..3) { New-TextFile (Join-Path $work "one-at-a-time/f$i.txt") "f$i" }
            (Copy-SbxItem -ToSandbox -LiteralPath $sources -Destination one-at-a-time -ThrottleLimit 1 -PassThru).Name | Should -Be @('f1.txt', 'f2.txt', 'f3.txt')
            Get-Content -LiteralPath (Join-Path $agent.Home 'one-at-a-time/f3.txt') | Should -Be 'f3'
        }

        It 'copies several sandbox files out side by side, byte for byte, with -PassThru items and errors in the order named' {
            $names = foreach ($i in 1..12) { "down $i #.bin" }
            $sources = for ($i = 0; $i -lt $names.Count; $i++) { New-RandomFile (Join-Path $agent.Home "side-down/$($names[$i])") (300000 * ($i % 4) + 1000) -Seed $i }
            $items = Get-SbxChildItem -Path side-down | Sort-Object { [array]::IndexOf($names, $_.Name) }
            # Items piped in are not looked up again: the copy of the one removed now fails at its turn.
            Remove-Item -LiteralPath $sources[4]
            $into = Join-Path $work 'side-down'
            $out = $items | Copy-SbxItem -Destination $into -ThrottleLimit 4 -PassThru -ErrorAction SilentlyContinue -ErrorVariable err
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'NotFound,*'
            $err[0].TargetObject | Should -Be $items[4].Path
            $out | Should -BeOfType System.IO.FileInfo
            $out.Name | Should -Be @($names | Where-Object { $_ -ne $names[4] })
            foreach ($source in $sources | Where-Object { $_ -ne $sources[4] }) {
                Get-Sha (Join-Path $into (Split-Path -Leaf $source)) | Should -Be (Get-Sha $source)
            }
            (Get-ChildItem -LiteralPath $into -Force).Name | Sort-Object | Should -Be ($out.Name | Sort-Object) -Because 'no staging file is left'
        }

        It 'refuses the second of two sandbox files with one name copied into one local folder without -Force, and lets -Force replace it' {
            # Both targets are one local file: the second copy waits for the first, and finds its file.
            New-TextFile (Join-Path $agent.Home 'same-down-a/same.txt') 'first' | Out-Null
            New-TextFile (Join-Path $agent.Home 'same-down-b/same.txt') 'second' | Out-Null
            $into = Join-Path $work 'same-down'
            Copy-SbxItem -FromSandbox -Path same-down-a/same.txt, same-down-b/same.txt -Destination $into -ErrorAction SilentlyContinue -ErrorVariable err
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'AlreadyExists,*'
            Get-Content -LiteralPath (Join-Path $into 'same.txt') | Should -Be 'first'
            Copy-SbxItem -FromSandbox -Path same-down-a/same.txt, same-down-b/same.txt -Destination $into -Force
            Get-Content -LiteralPath (Join-Path $into 'same.txt') | Should -Be 'second'
        }

        It 'refuses the second of two files with one name copied into one sandbox folder without -Force, and lets -Force replace it' {
            # The plan finds no file there for either; the second copy asks again, after the first made it.
            $same = @((New-TextFile (Join-Path $work 'same-a/same.txt') 'first'), (New-TextFile (Join-Path $work 'same-b/same.txt') 'second'))
            Copy-SbxItem -ToSandbox -Path $same -Destination same-into/ -ErrorAction SilentlyContinue -ErrorVariable err
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -Be 'DestinationExists,ScaleBox.Sandbox.Commands.CopySbxItemCommand'
            Get-Content -LiteralPath (Join-Path $agent.Home 'same-into/same.txt') | Should -Be 'first'
            Copy-SbxItem -ToSandbox -Path $same -Destination same-into/ -Force
            Get-Content -LiteralPath (Join-Path $agent.Home 'same-into/same.txt') | Should -Be 'second'
        }

        It 'refuses to copy several files onto one file, even with -Force' {
            New-TextFile (Join-Path $agent.Home 'several-onto.txt') 'keep' | Out-Null
            Copy-SbxItem -ToSandbox -Path $two -Destination several-onto.txt -Force -ErrorAction SilentlyContinue -ErrorVariable err
            $err[0].FullyQualifiedErrorId | Should -Be 'DestinationNotAFolder,ScaleBox.Sandbox.Commands.CopySbxItemCommand'
            Get-Content -LiteralPath (Join-Path $agent.Home 'several-onto.txt') | Should -Be 'keep'
        }
    }

    Context 'between two sandboxes' {
        BeforeAll {
            $other = Start-TestAgent
            $otherSession = New-SbxSession -Domain $other.Domain -AccessToken $other.Token -Name other
            # New-SbxSession made the other one the default; the tests name both sessions anyway.
            $first = Get-SbxSession -Name main
            $big = New-RandomFile (Join-Path $agent.Home 'between/big.bin') 3000000
            New-TextFile (Join-Path $agent.Home 'between/tree/a.txt') 'a' | Out-Null
            New-TextFile (Join-Path $agent.Home 'between/tree/sub/b.txt') 'b' | Out-Null
            New-Item -ItemType Directory -Path (Join-Path $agent.Home 'between/tree/empty') | Out-Null
        }

        AfterAll {
            if ($otherSession) { Remove-SbxSession -Session $otherSession }
            if ($other) { Stop-TestAgent $other }
        }

        It 'copies a file from one sandbox to another, byte for byte, and returns the new item with -PassThru' {
            $out = Copy-SbxItem -FromSession $first -ToSession $otherSession -Path between/big.bin -Destination copied/big.bin -PassThru
            $out.Path | Should -Be (Join-Path $other.Home 'copied/big.bin')
            $out.Domain | Should -Be $other.Domain
            Get-Sha (Join-Path $other.Home 'copied/big.bin') | Should -Be (Get-Sha $big)
        }

        It 'copies several files side by side, returning the new items in the order named' {
            $names = foreach ($i in 1..6) { "between $i.bin" }
            $sources = for ($i = 0; $i -lt $names.Count; $i++) { New-RandomFile (Join-Path $agent.Home "between/several/$($names[$i])") (500000 * ($i % 3) + 10) -Seed (20 + $i) }
            $paths = foreach ($name in $names) { "between/several/$name" }
            $out = Copy-SbxItem -FromSession $first -ToSession $otherSession -Path $paths -Destination several-between -ThrottleLimit 3 -PassThru
            $out.Name | Should -Be $names
            $out.Domain | Select-Object -Unique | Should -Be $other.Domain
            foreach ($source in $sources) {
                Get-Sha (Join-Path $other.Home "several-between/$(Split-Path -Leaf $source)") | Should -Be (Get-Sha $source)
            }
            (Get-ChildItem -LiteralPath (Join-Path $other.Home 'several-between') -Force).Name | Sort-Object | Should -Be ($names | Sort-Object) -Because 'no staging file is left'
        }

        It 'copies a tree with -Recurse, empty folders included, as a new folder or into an existing one' {
            Copy-SbxItem -FromSession $first -ToSession $otherSession -Path between/tree -Destination trees -Recurse
            Get-Content -LiteralPath (Join-Path $other.Home 'trees/a.txt') | Should -Be 'a'
            Get-Content -LiteralPath (Join-Path $other.Home 'trees/sub/b.txt') | Should -Be 'b'
            Test-Path -LiteralPath (Join-Path $other.Home 'trees/empty') -PathType Container | Should -BeTrue
            Copy-SbxItem -FromSession $first -ToSession $otherSession -Path between/tree -Destination trees -Recurse
            Get-Content -LiteralPath (Join-Path $other.Home 'trees/tree/sub/b.txt') | Should -Be 'b' -Because 'an existing folder receives the tree under its own name'
        }

        It 'copies a tree of many files between them several at a time, merging into an existing copy with and without -Force' {
            $source = Join-Path $agent.Home 'between/many'
            $expected = foreach ($d in 1..4) {
                foreach ($f in 1..10) {
                    $relative = "d $d/f #$f.txt"
                    New-TextFile (Join-Path $source $relative) "file $d.$f" | Out-Null
                    $relative
                }
            }
            $out = Copy-SbxItem -FromSession $first -ToSession $otherSession -Path between/many -Destination many-between -Recurse -ThrottleLimit 4 -PassThru
            $out | Should -HaveCount 44
            ($out | Where-Object Type -EQ File).Path | Sort-Object | Should -Be ($expected | ForEach-Object { Join-Path $other.Home "many-between/$_" } | Sort-Object)
            foreach ($relative in $expected) {
                Get-Content -LiteralPath (Join-Path $other.Home "many-between/$relative") | Should -Be (Get-Content -LiteralPath (Join-Path $source $relative))
            }
            # Into the copy again: without -Force each file there is a DestinationExists error, as in an
            # upload or a download; with -Force it is replaced.
            Set-Content -LiteralPath (Join-Path $source 'd 1/f #1.txt') -Value 'changed' -NoNewline
            Copy-SbxItem -FromSession $first -ToSession $otherSession -Path 'between/many/*' -Destination many-between -Recurse -ErrorAction SilentlyContinue -ErrorVariable refused -WarningVariable skipped
            $refused | Should -HaveCount 40
            $refused.FullyQualifiedErrorId | Sort-Object -Unique | Should -Be 'DestinationExists,ScaleBox.Sandbox.Commands.CopySbxItemCommand'
            $refused.TargetObject | Sort-Object | Should -Be ($expected | ForEach-Object { Join-Path $other.Home "many-between/$_" } | Sort-Object)
            $skipped | Should -BeNullOrEmpty
            Get-Content -LiteralPath (Join-Path $other.Home 'many-between/d 1/f #1.txt') | Should -Be 'file 1.1'
            Copy-SbxItem -FromSession $first -ToSession $otherSession -Path 'between/many/*' -Destination many-between -Recurse -Force -ErrorVariable refused -WarningVariable skipped
            $refused | Should -BeNullOrEmpty
            $skipped | Should -BeNullOrEmpty
            Get-Content -LiteralPath (Join-Path $other.Home 'many-between/d 1/f #1.txt') | Should -Be 'changed'
            Get-StagingFile (Join-Path $other.Home 'many-between') | Should -BeNullOrEmpty
        }

        It 'leaves out what -Exclude names from a tree copied between them' {
            New-TextFile (Join-Path $agent.Home 'between/proj/src/a.py') 'a' | Out-Null
            New-TextFile (Join-Path $agent.Home 'between/proj/src/a.pyc') 'compiled' | Out-Null
            New-TextFile (Join-Path $agent.Home 'between/proj/.git/HEAD') 'ref' | Out-Null
            Copy-SbxItem -FromSession $first -ToSession $otherSession -Path between/proj -Destination proj-copy -Recurse -Exclude .git, *.pyc
            (Get-ChildItem -LiteralPath (Join-Path $other.Home 'proj-copy') -Recurse -Force).Name | Sort-Object | Should -Be @('a.py', 'src')
        }

        It 'takes wildcards in the source sandbox and refuses to replace a file without -Force' {
            Copy-SbxItem -FromSession $first -ToSession $otherSession -Path 'between/tree/*.txt' -Destination wild/
            Get-Content -LiteralPath (Join-Path $other.Home 'wild/a.txt') | Should -Be 'a'
            Copy-SbxItem -FromSession $first -ToSession $otherSession -Path between/tree/a.txt -Destination wild/a.txt -ErrorAction SilentlyContinue -ErrorVariable err
            $err[0].FullyQualifiedErrorId | Should -BeLike 'DestinationExists,*'
        }

        It 'changes nothing with -WhatIf, and refuses -Session with -FromSession' {
            Copy-SbxItem -FromSession $first -ToSession $otherSession -Path between/big.bin -Destination whatif.bin -WhatIf
            Test-Path -LiteralPath (Join-Path $other.Home 'whatif.bin') | Should -BeFalse
            { Copy-SbxItem -Session $first -FromSession $first -ToSession $otherSession -Path between/big.bin -Destination x -ErrorAction Stop } |
                Should -Throw -ErrorId 'SessionAndFromSession,*'
        }

        It 'names -FromSession and -ToSession when no direction is given' {
            { Copy-SbxItem -Path between/big.bin -Destination x -ErrorAction Stop } | Should -Throw -ExpectedMessage '*-FromSession*-ToSession*'
        }
    }

    Context 'existing targets' {
        It 'refuses to replace a sandbox file without -Force (DestinationExists) and replaces it with -Force' {
            $remote = New-TextFile (Join-Path $agent.Home 'exists/up.txt') 'old'
            $local = New-TextFile (Join-Path $work 'exists-src/up.txt') 'new'

            $out = Copy-SbxItem -ToSandbox -Path $local -Destination exists/up.txt -ErrorAction SilentlyContinue -ErrorVariable err
            $out | Should -BeNullOrEmpty
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -Be 'DestinationExists,ScaleBox.Sandbox.Commands.CopySbxItemCommand'
            $err[0].CategoryInfo.Category | Should -Be 'ResourceExists'
            $err[0].TargetObject | Should -BeLike '*exists/up.txt'
            Get-Content -LiteralPath $remote -Raw | Should -Be 'old'

            Copy-SbxItem -ToSandbox -Path $local -Destination exists/up.txt -Force -ErrorVariable err
            $err | Should -BeNullOrEmpty
            Get-Content -LiteralPath $remote -Raw | Should -Be 'new'
            Get-StagingFile (Join-Path $agent.Home 'exists') | Should -BeNullOrEmpty
        }

        It 'refuses to replace a local file without -Force (DestinationExists) and replaces it with -Force' {
            New-TextFile (Join-Path $agent.Home 'exists/down.txt') 'new' | Out-Null
            $local = New-TextFile (Join-Path $work 'exists-down/down.txt') 'old'

            $out = Copy-SbxItem -FromSandbox -Path exists/down.txt -Destination (Split-Path $local) -ErrorAction SilentlyContinue -ErrorVariable err
            $out | Should -BeNullOrEmpty
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -Be 'DestinationExists,ScaleBox.Sandbox.Commands.CopySbxItemCommand'
            $err[0].CategoryInfo.Category | Should -Be 'ResourceExists'
            $err[0].TargetObject | Should -Be $local
            Get-Content -LiteralPath $local -Raw | Should -Be 'old'

            Copy-SbxItem -FromSandbox -Path exists/down.txt -Destination $local -Force -ErrorVariable err
            $err | Should -BeNullOrEmpty
            Get-Content -LiteralPath $local -Raw | Should -Be 'new'
            Get-StagingFile (Split-Path $local) | Should -BeNullOrEmpty
        }

        It 'reports an existing target under -WhatIf too' {
            $remote = New-TextFile (Join-Path $agent.Home 'exists/whatif.txt') 'old'
            $local = New-TextFile (Join-Path $work 'exists-src/whatif.txt') 'new'
            Copy-SbxItem -ToSandbox -Path $local -Destination exists/whatif.txt -WhatIf -ErrorAction SilentlyContinue -ErrorVariable err
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -Be 'DestinationExists,ScaleBox.Sandbox.Commands.CopySbxItemCommand'
            Get-Content -LiteralPath $remote -Raw | Should -Be 'old'
        }

        It 'checks the names of several files in an existing sandbox folder, reporting those in the way in the order named' {
            $names = foreach ($i in 1..8) { "many-$i.txt" }
            $sources = foreach ($name in $names) { New-TextFile (Join-Path $work "exists-many/$name") "new $name" }
            $folder = New-RemoteDir 'exists-many'
            New-TextFile (Join-Path $folder 'many-3.txt') 'old' | Out-Null
            New-Item -ItemType Directory -Path (Join-Path $folder 'many-6.txt') | Out-Null
            Copy-SbxItem -ToSandbox -LiteralPath $sources -Destination exists-many -ErrorAction SilentlyContinue -ErrorVariable err
            $err.TargetObject | Should -Be @((Join-Path $folder 'many-3.txt'), (Join-Path $folder 'many-6.txt'))
            $err.FullyQualifiedErrorId | Select-Object -Unique | Should -Be 'DestinationExists,ScaleBox.Sandbox.Commands.CopySbxItemCommand'
            Get-Content -LiteralPath (Join-Path $folder 'many-3.txt') | Should -Be 'old'
            Get-Content -LiteralPath (Join-Path $folder 'many-8.txt') | Should -Be 'new many-8.txt'
            # With -Force the file is replaced; the directory never is.
            Copy-SbxItem -ToSandbox -LiteralPath $sources -Destination exists-many -Force -ErrorAction SilentlyContinue -ErrorVariable err
            $err.TargetObject | Should -Be (Join-Path $folder 'many-6.txt')
            Get-Content -LiteralPath (Join-Path $folder 'many-3.txt') | Should -Be 'new many-3.txt'
        }

        It 'never replaces a directory with a file, even with -Force' {
            New-Item -ItemType Directory -Path (Join-Path $agent.Home 'exists/dir-up/same') -Force | Out-Null
            $local = New-TextFile (Join-Path $work 'exists-dir/same') 'file'
            Copy-SbxItem -ToSandbox -Path $local -Destination exists/dir-up -Force -ErrorAction SilentlyContinue -ErrorVariable err
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -Be 'DestinationExists,ScaleBox.Sandbox.Commands.CopySbxItemCommand'
            Test-Path -LiteralPath (Join-Path $agent.Home 'exists/dir-up/same') -PathType Container | Should -BeTrue

            New-TextFile (Join-Path $agent.Home 'exists/same') 'file' | Out-Null
            $into = New-LocalDir 'exists-dir-down'
            New-Item -ItemType Directory -Path (Join-Path $into 'same') | Out-Null
            Copy-SbxItem -FromSandbox -Path exists/same -Destination $into -Force -ErrorAction SilentlyContinue -ErrorVariable err
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -Be 'DestinationExists,ScaleBox.Sandbox.Commands.CopySbxItemCommand'
            Test-Path -LiteralPath (Join-Path $into 'same') -PathType Container | Should -BeTrue
        }
    }

    Context 'output, -WhatIf and -AsJob' {
        BeforeAll {
            $payload = New-RandomFile (Join-Path $work 'out/payload.bin') 300000
            $payloadHash = Get-Sha $payload
            New-RandomFile (Join-Path $agent.Home 'out/payload.bin') 300000 | Out-Null
        }

        It 'returns a FileInfo for a download with -PassThru' {
            $into = New-LocalDir 'passthru-down'
            $out = Copy-SbxItem -FromSandbox -Path out/payload.bin -Destination $into -PassThru
            $out | Should -HaveCount 1
            $out | Should -BeOfType ([System.IO.FileInfo])
            $out.FullName | Should -Be (Join-Path $into 'payload.bin')
            $out.Length | Should -Be 300000
        }

        It 'returns local items as Get-Item does, so they pipe on to Get-Content and Remove-Item' {
            $into = New-LocalDir 'passthru-pipe'
            New-TextFile (Join-Path $agent.Home 'out/lines.txt') "one`ntwo" | Out-Null
            $out = Copy-SbxItem -FromSandbox -Path out/lines.txt -Destination $into -PassThru
            $os = Get-Item -LiteralPath (Join-Path $into 'lines.txt')
            # The provider's own properties, and on Unix the stat its table view reads (these
            # columns were blank when the item was built without the provider).
            $names = 'PSPath', 'PSParentPath', 'PSChildName', 'PSIsContainer', 'PSDrive', 'PSProvider', 'Mode'
            if (-not $IsWindows) { $names += 'UnixMode', 'User', 'Group', 'Size' }
            foreach ($name in $names) {
                "$($out.$name)" | Should -Be "$($os.$name)" -Because "$name is what Get-Item gives"
                "$($out.$name)" | Should -Not -BeNullOrEmpty -Because "$name shows in the table view"
            }
            ($out | Format-Table | Out-String) | Should -Be ($os | Format-Table | Out-String)
            Push-Location Env:
            try {
                $fromEnv = Copy-SbxItem -FromSandbox -Path out/lines.txt -Destination $into -Force -PassThru
            }
            finally {
                Pop-Location
            }
            $fromEnv.PSPath | Should -Be $os.PSPath -Because 'the item is found on the file system from any location'
            $out | Get-Content | Should -Be @('one', 'two')
            $out | Remove-Item
            Test-Path -LiteralPath $os.FullName | Should -BeFalse
        }

        It 'returns copied directories as Get-Item does with -Recurse' {
            New-TextFile (Join-Path $agent.Home 'out/tree-pt/a/b.txt') 'b' | Out-Null
            $into = New-LocalDir 'passthru-tree'
            $out = Copy-SbxItem -FromSandbox -Path out/tree-pt -Destination $into -Recurse -PassThru
            $dir = $out | Where-Object PSIsContainer | Select-Object -First 1
            $dir | Should -Not -BeNullOrEmpty
            $dir.PSPath | Should -Be (Get-Item -LiteralPath $dir.FullName).PSPath
            ($out | Format-Table | Out-String) | Should -Be (Get-Item -LiteralPath $out.FullName | Format-Table | Out-String)
            ($out | Where-Object { -not $_.PSIsContainer } | Get-Content) | Should -Be 'b'
        }

        It 'asks for -ToSandbox or -FromSandbox in plain words when neither is given' {
            { Copy-SbxItem -Path out/payload.bin -Destination $work -ErrorAction Stop } |
                Should -Throw -ErrorId 'DirectionMissing,*' -ExpectedMessage '*-ToSandbox*-FromSandbox*'
            { Get-ChildItem -LiteralPath $payload | Copy-SbxItem -Destination out/ -ErrorAction Stop } |
                Should -Throw -ErrorId 'DirectionMissing,*'
        }

        It 'returns a sandbox item for an upload with -PassThru' {
            $out = Copy-SbxItem -ToSandbox -Path $payload -Destination out/passthru.bin -PassThru
            $out | Should -HaveCount 1
            $out | Should -BeOfType ([ScaleBox.Sandbox.Client.Files.SandboxItem])
            $out.Path | Should -Be (Join-Path $agent.Home 'out/passthru.bin')
            $out.Type | Should -Be 'File'
            $out.Length | Should -Be 300000
        }

        It 'returns with -PassThru the same items Get-SbxItem gives afterwards, for a file and for the files of a tree' {
            # The items come from the agent's answers to the renames; they must be what a lookup says.
            New-TextFile (Join-Path $work 'out-tree/sub/c.txt') 'c' | Out-Null
            New-TextFile (Join-Path $work 'out-tree/d.txt') 'dd' | Out-Null
            $single = Copy-SbxItem -ToSandbox -Path $payload -Destination out/same-as-lookup.bin -PassThru
            $tree = Copy-SbxItem -ToSandbox -Path (Join-Path $work 'out-tree') -Destination out/same-as-lookup -Recurse -Packing Never -PassThru
            $tree | Should -HaveCount 3
            $packed = Copy-SbxItem -ToSandbox -Path (Join-Path $work 'out-tree') -Destination out/same-as-lookup-packed -Recurse -Packing Always -PassThru
            $packed | Should -HaveCount 3
            $packed.Path | Sort-Object | Should -Be (@('sub', 'sub/c.txt', 'd.txt') | ForEach-Object { Join-Path $agent.Home "out/same-as-lookup-packed/$_" } | Sort-Object)
            # (A directory's item copied file by file is taken when it is made, before its files change its time.)
            foreach ($item in @($single) + @($tree | Where-Object Type -EQ File) + @($packed)) {
                $looked = Get-SbxItem -LiteralPath $item.Path
                $names = $looked.psobject.Properties | Where-Object MemberType -EQ 'Property' | ForEach-Object Name
                foreach ($name in $names) {
                    "$($item.$name)" | Should -Be "$($looked.$name)" -Because "$name of $($item.Path) is what Get-SbxItem gives"
                }
            }
            $tree | Where-Object Type -EQ File | ForEach-Object Length | Sort-Object | Should -Be @(1, 2)
        }

        It 'returns nothing without -PassThru' {
            Copy-SbxItem -ToSandbox -Path $payload -Destination out/quiet.bin | Should -BeNullOrEmpty
            Copy-SbxItem -FromSandbox -Path out/quiet.bin -Destination (Join-Path $work 'quiet.bin') | Should -BeNullOrEmpty
            Get-Sha (Join-Path $work 'quiet.bin') | Should -Be $payloadHash
        }

        It 'copies nothing with -WhatIf' {
            $into = New-LocalDir 'whatif-down'
            Copy-SbxItem -ToSandbox -Path $payload -Destination out/whatif.bin -WhatIf -PassThru | Should -BeNullOrEmpty
            Copy-SbxItem -FromSandbox -Path out/payload.bin -Destination $into -WhatIf -PassThru | Should -BeNullOrEmpty
            Copy-SbxItem -ToSandbox -Path (Split-Path $payload) -Destination out/whatif-tree -Recurse -WhatIf | Should -BeNullOrEmpty
            Test-Path -LiteralPath (Join-Path $agent.Home 'out/whatif.bin') | Should -BeFalse
            Test-Path -LiteralPath (Join-Path $agent.Home 'out/whatif-tree') | Should -BeFalse
            Get-ChildItem -LiteralPath $into -Force | Should -BeNullOrEmpty
        }

        It 'uploads as a job with -AsJob' {
            $job = Copy-SbxItem -ToSandbox -Path $payload -Destination out/job-up.bin -AsJob -PassThru
            try {
                $job | Should -HaveCount 1
                $job | Should -BeOfType ([System.Management.Automation.Job])
                $job | Wait-Job -Timeout 60 | Out-Null
                $job.State | Should -Be 'Completed'
                $received = $job | Receive-Job -ErrorVariable jobErrors
                $jobErrors | Should -BeNullOrEmpty
                $received | Should -BeOfType ([ScaleBox.Sandbox.Client.Files.SandboxItem])
                $received.Path | Should -Be (Join-Path $agent.Home 'out/job-up.bin')
                Get-Sha (Join-Path $agent.Home 'out/job-up.bin') | Should -Be $payloadHash
            }
            finally {
                $job | Remove-Job -Force
            }
        }

        It 'downloads as a job with -AsJob' {
            $target = Join-Path $work 'job-down.bin'
            $job = Copy-SbxItem -FromSandbox -Path out/job-up.bin -Destination $target -AsJob -PassThru
            try {
                $job | Should -BeOfType ([System.Management.Automation.Job])
                $job | Wait-Job -Timeout 60 | Out-Null
                $job.State | Should -Be 'Completed'
                $received = $job | Receive-Job
                $received | Should -BeOfType ([System.IO.FileInfo])
                $received.FullName | Should -Be $target
                Get-Sha $target | Should -Be $payloadHash
            }
            finally {
                $job | Remove-Job -Force
            }
        }
    }

    Context 'pipeline input' {
        BeforeAll {
            New-TextFile (Join-Path $agent.Home 'piped/one.txt') 'one' | Out-Null
            New-TextFile (Join-Path $agent.Home 'piped/p[1].txt') 'bracket' | Out-Null
            New-TextFile (Join-Path $agent.Home 'piped/p1.txt') 'plain' | Out-Null
            New-TextFile (Join-Path $agent.Home 'piped/sub/deep.txt') 'deep' | Out-Null
        }

        It 'copies the sandbox items piped from Get-SbxChildItem, each by its own path' {
            $into = New-LocalDir 'piped'
            Get-SbxChildItem -Path piped -File | Copy-SbxItem -FromSandbox -Destination $into
            (Get-ChildItem -LiteralPath $into -Force).Name | Sort-Object | Should -Be ('one.txt', 'p1.txt', 'p[1].txt' | Sort-Object)
            Get-Content -LiteralPath (Join-Path $into 'p[1].txt') -Raw | Should -Be 'bracket'
            Get-Content -LiteralPath (Join-Path $into 'p1.txt') -Raw | Should -Be 'plain'
        }

        It 'takes piped sandbox items without -FromSandbox, and directories with -Recurse' {
            $into = New-LocalDir 'piped-item'
            Get-SbxItem -Path piped | Copy-SbxItem -Destination $into -Recurse
            Get-Content -LiteralPath (Join-Path $into 'piped/sub/deep.txt') -Raw | Should -Be 'deep'
            Get-Content -LiteralPath (Join-Path $into 'piped/p[1].txt') -Raw | Should -Be 'bracket'
        }

        It 'takes local paths from the pipeline with -ToSandbox' {
            $into = New-RemoteDir 'piped-up'
            $first = New-TextFile (Join-Path $work 'piped-src/first.txt') 'first'
            $second = New-TextFile (Join-Path $work 'piped-src/second.txt') 'second'
            $first, $second | Copy-SbxItem -ToSandbox -Destination piped-up
            Get-ChildItem -LiteralPath (Join-Path $work 'piped-src') -File | Copy-SbxItem -ToSandbox -Destination piped-up -Force
            (Get-ChildItem -LiteralPath $into).Name | Sort-Object | Should -Be @('first.txt', 'second.txt')
            Get-Content -LiteralPath (Join-Path $into 'second.txt') -Raw | Should -Be 'second'
        }
    }

    Context 'errors' {
        It 'reports a missing sandbox file as NotFound and goes on with the next one' {
            New-TextFile (Join-Path $agent.Home 'errors/there.txt') 'there' | Out-Null
            $into = New-LocalDir 'errors-down'
            $out = Copy-SbxItem -FromSandbox -Path errors/missing.txt, errors/there.txt -Destination $into -PassThru -ErrorAction SilentlyContinue -ErrorVariable err
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -Be 'NotFound,ScaleBox.Sandbox.Commands.CopySbxItemCommand'
            $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err[0].TargetObject | Should -Be 'errors/missing.txt'
            $out.Name | Should -Be 'there.txt'
            (Get-ChildItem -LiteralPath $into -Force).Name | Should -Be 'there.txt'
        }

        It 'stops on a missing sandbox file with -ErrorAction Stop' {
            { Copy-SbxItem -FromSandbox -Path errors/missing.txt -Destination $work -ErrorAction Stop } |
                Should -Throw -ErrorId 'NotFound,*'
        }

        It 'reports a missing local file as LocalPathNotFound (ObjectNotFound)' {
            $missing = Join-Path $work 'errors/missing.txt'
            $out = Copy-SbxItem -ToSandbox -LiteralPath $missing -Destination errors/up.txt -ErrorAction SilentlyContinue -ErrorVariable err
            $out | Should -BeNullOrEmpty
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -Be 'LocalPathNotFound,ScaleBox.Sandbox.Commands.CopySbxItemCommand'
            $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            Test-Path -LiteralPath (Join-Path $agent.Home 'errors/up.txt') | Should -BeFalse
        }

        It 'reports a local file it cannot open as LocalFileError (ReadError) on that file' {
            $locked = New-TextFile (Join-Path $work 'errors/locked.txt') 'locked'
            $hold = Open-ExclusiveFile $locked
            try {
                Copy-SbxItem -ToSandbox -LiteralPath $locked -Destination errors/locked.txt -ErrorAction SilentlyContinue -ErrorVariable err
            }
            finally {
                $hold.Dispose()
            }
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -Be 'LocalFileError,ScaleBox.Sandbox.Commands.CopySbxItemCommand'
            $err[0].CategoryInfo.Category | Should -Be 'ReadError'
            $err[0].TargetObject | Should -Be $locked
            "$err" | Should -BeLike "Cannot read '$locked': *"
            Test-Path -LiteralPath (Join-Path $agent.Home 'errors/locked.txt') | Should -BeFalse
        }

        It 'reports a local destination whose parent is missing as LocalFileError and leaves nothing behind' {
            $parent = Join-Path $work 'errors-noparent'
            New-Item -ItemType Directory -Path $parent | Out-Null
            $target = Join-Path $parent 'missing/there.txt'
            Copy-SbxItem -FromSandbox -Path errors/there.txt -Destination $target -ErrorAction SilentlyContinue -ErrorVariable err
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -Be 'LocalFileError,ScaleBox.Sandbox.Commands.CopySbxItemCommand'
            $err[0].CategoryInfo.Category | Should -Be 'WriteError'
            # Named by the destination given, whatever temporary name .NET's own message holds.
            "$err" | Should -BeLike "Cannot write '$target': *"
            Get-ChildItem -LiteralPath $parent -Force -Recurse | Should -BeNullOrEmpty
        }
    }

    Context 'symbolic links' {
        It 'skips a link in a sandbox tree that points out of it, with a warning, and writes nothing outside the destination' {
            $remoteRoot = Join-Path $agent.Home 'links'
            New-TextFile (Join-Path $remoteRoot 'secret.txt') 'secret' | Out-Null
            New-TextFile (Join-Path $remoteRoot 'secret-dir/inside.txt') 'secret inside' | Out-Null
            New-TextFile (Join-Path $remoteRoot 'tree/a.txt') 'a' | Out-Null
            New-Item -ItemType SymbolicLink -Path (Join-Path $remoteRoot 'tree/out-file.txt') -Target (Join-Path $remoteRoot 'secret.txt') | Out-Null
            New-Item -ItemType SymbolicLink -Path (Join-Path $remoteRoot 'tree/out-dir') -Target (Join-Path $remoteRoot 'secret-dir') | Out-Null
            New-Item -ItemType SymbolicLink -Path (Join-Path $remoteRoot 'tree/climb.txt') -Target '../secret.txt' | Out-Null
            New-Item -ItemType SymbolicLink -Path (Join-Path $remoteRoot 'tree/inner.txt') -Target 'a.txt' | Out-Null

            $parent = New-LocalDir 'links-down'
            $target = Join-Path $parent 'copy'
            Copy-SbxItem -FromSandbox -Path links/tree -Destination $target -Recurse -WarningVariable warnings -WarningAction SilentlyContinue -ErrorVariable err
            $err | Should -BeNullOrEmpty
            $warnings.Message | Where-Object { $_ -like 'Skipped *out-file.txt:*' } | Should -HaveCount 1
            $warnings.Message | Where-Object { $_ -like 'Skipped *out-dir*' } | Should -Not -BeNullOrEmpty
            $warnings.Message | Where-Object { $_ -like 'Skipped *climb.txt:*' } | Should -HaveCount 1

            (Get-ChildItem -LiteralPath $target -Force).Name | Sort-Object | Should -Be @('a.txt', 'inner.txt')
            # A link to a file inside the tree arrives as that file, not as a link.
            (Get-Item -LiteralPath (Join-Path $target 'inner.txt')).LinkType | Should -BeNullOrEmpty
            Get-Content -LiteralPath (Join-Path $target 'inner.txt') -Raw | Should -Be 'a'
            # Nothing beside the destination, and the secrets were not read into it.
            (Get-ChildItem -LiteralPath $parent -Force).Name | Should -Be 'copy'
            Get-ChildItem -LiteralPath $target -Recurse -Force -File | ForEach-Object { Get-Content -LiteralPath $_.FullName -Raw } |
                Should -Not -Contain 'secret'
            Get-Content -LiteralPath (Join-Path $remoteRoot 'secret.txt') -Raw | Should -Be 'secret'
        }

        It 'skips a local link that points out of an uploaded tree, with a warning' {
            $localRoot = Join-Path $work 'links-up'
            New-TextFile (Join-Path $localRoot 'secret.txt') 'secret' | Out-Null
            New-TextFile (Join-Path $localRoot 'tree/a.txt') 'a' | Out-Null
            New-Item -ItemType SymbolicLink -Path (Join-Path $localRoot 'tree/out.txt') -Target (Join-Path $localRoot 'secret.txt') | Out-Null

            Copy-SbxItem -ToSandbox -Path (Join-Path $localRoot 'tree') -Destination links-up -Recurse -WarningVariable warnings -WarningAction SilentlyContinue
            $warnings.Message | Where-Object { $_ -like 'Skipped *out.txt:*' } | Should -HaveCount 1
            (Get-ChildItem -LiteralPath (Join-Path $agent.Home 'links-up') -Force).Name | Should -Be 'a.txt'
        }
    }

    Context 'progress' {
        BeforeAll {
            $progressFile = New-RandomFile (Join-Path $work 'progress/progress.bin') 8MB -Seed 3
            $progressHash = Get-Sha $progressFile
        }

        It 'copies with $ProgressPreference = SilentlyContinue and writes no progress' {
            $result = Invoke-InRunspace -Arguments @{ Local = $progressFile; Back = (Join-Path $work 'progress/silent.bin') } -Script '
                $ProgressPreference = "SilentlyContinue"
                Copy-SbxItem -ToSandbox -Path $Arguments.Local -Destination progress/silent.bin
                Copy-SbxItem -FromSandbox -Path progress/silent.bin -Destination $Arguments.Back'
            $result.Errors | Should -BeNullOrEmpty
            $result.Progress | Should -BeNullOrEmpty
            Get-Sha (Join-Path $agent.Home 'progress/silent.bin') | Should -Be $progressHash
            Get-Sha (Join-Path $work 'progress/silent.bin') | Should -Be $progressHash
        }

        It 'writes progress that ends with a Completed record when progress is shown' {
            $result = Invoke-InRunspace -Arguments @{ Local = $progressFile; Back = (Join-Path $work 'progress/shown.bin') } -Script '
                $ProgressPreference = "Continue"
                Copy-SbxItem -ToSandbox -Path $Arguments.Local -Destination progress/shown.bin
                Copy-SbxItem -FromSandbox -Path progress/shown.bin -Destination $Arguments.Back'
            $result.Errors | Should -BeNullOrEmpty
            Get-Sha (Join-Path $agent.Home 'progress/shown.bin') | Should -Be $progressHash
            Get-Sha (Join-Path $work 'progress/shown.bin') | Should -Be $progressHash

            foreach ($activity in 'Copying to sandbox', 'Copying from sandbox') {
                $records = @($result.Progress | Where-Object Activity -EQ $activity)
                $records.Count | Should -BeGreaterThan 1 -Because "'$activity' reports progress"
                $records[-1].RecordType | Should -Be 'Completed'
                @($records | Where-Object PercentComplete -EQ 100) | Should -Not -BeNullOrEmpty
            }
        }

        It 'completes a copy with progress shown in a separate pwsh' {
            $back = Join-Path $work 'progress/child.bin'
            $script = @'
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'Continue'
Import-Module $env:SBX_TEST_MODULE
$null = New-SbxSession -Domain $env:SBX_TEST_DOMAIN -AccessToken $env:SBX_TEST_TOKEN
Copy-SbxItem -ToSandbox -LiteralPath $env:SBX_TEST_LOCAL -Destination progress/child.bin
Copy-SbxItem -FromSandbox -LiteralPath progress/child.bin -Destination $env:SBX_TEST_BACK
'done'
'@
            $child = Start-ChildPwsh -ArgumentList '-Command', $script -Environment @{
                SBX_TEST_MODULE = $modulePath
                SBX_TEST_DOMAIN = $agent.Domain
                SBX_TEST_TOKEN = $agent.Token
                SBX_TEST_LOCAL = $progressFile
                SBX_TEST_BACK = $back
            }
            Wait-ChildPwsh $child -TimeoutSec 60 | Should -Match 'done'
            Get-Sha (Join-Path $agent.Home 'progress/child.bin') | Should -Be $progressHash
            Get-Sha $back | Should -Be $progressHash
        }
    }

    Context 'stopped copies' {
        It 'removes the staging file of a download stopped midway and leaves no target' {
            New-SparseFile (Join-Path $agent.Home 'stop/huge.bin') 4GB | Out-Null
            $into = New-LocalDir 'stopped-down'
            $ps = [powershell]::Create()
            try {
                $null = $ps.AddScript('param($Module, $Domain, $Token, $Into)
                    Import-Module $Module
                    $null = New-SbxSession -Domain $Domain -AccessToken $Token
                    $ProgressPreference = "SilentlyContinue"
                    Copy-SbxItem -FromSandbox -Path stop/huge.bin -Destination $Into').AddArgument($modulePath).AddArgument($agent.Domain).AddArgument($agent.Token).AddArgument($into)
                $async = $ps.BeginInvoke()
                Wait-Until { (Get-StagingFile $into) -or $async.IsCompleted } | Should -BeTrue
                $async.IsCompleted | Should -BeFalse -Because 'the 4 GB download is still running'
                $stop = $ps.BeginStop($null, $null)
                $stop.AsyncWaitHandle.WaitOne(15000) | Should -BeTrue -Because 'stopping ends the download'
            }
            finally {
                $ps.Dispose()
            }
            Get-ChildItem -LiteralPath $into -Force | Should -BeNullOrEmpty
        }

        It 'leaves only complete files when several files copied side by side are stopped midway' {
            $small = foreach ($i in 1..2) { New-TextFile (Join-Path $work "stop-several/small $i.txt") "small $i" }
            $huge = foreach ($i in 1..3) { New-SparseFile (Join-Path $work "stop-several/huge $i.bin") 4GB }
            $remote = New-RemoteDir 'stop-several'
            $job = Copy-SbxItem -ToSandbox -LiteralPath (@($small) + @($huge)) -Destination stop-several -ThrottleLimit 4 -AsJob
            # In flight: the huge ones under temporary names (the client's, and the agent's while it receives).
            Stop-CopyJobMidway $job $remote -Done 'small 1.txt', 'small 2.txt' -InFlight { @(Get-ChildItem -LiteralPath $remote -Force).Count -ge 4 }
            Get-Content -LiteralPath (Join-Path $remote 'small 2.txt') | Should -Be 'small 2'
        }

        It 'leaves only complete files when several downloads side by side are stopped midway' {
            foreach ($i in 1..2) { New-TextFile (Join-Path $agent.Home "stop-several-down/small $i.txt") "small $i" | Out-Null }
            foreach ($i in 1..3) { New-SparseFile (Join-Path $agent.Home "stop-several-down/huge $i.bin") 4GB | Out-Null }
            $into = New-LocalDir 'stop-several-down'
            $paths = @('small 1.txt', 'small 2.txt', 'huge 1.bin', 'huge 2.bin', 'huge 3.bin') | ForEach-Object { "stop-several-down/$_" }
            $job = Copy-SbxItem -FromSandbox -LiteralPath $paths -Destination $into -ThrottleLimit 4 -AsJob
            Stop-CopyJobMidway $job $into -Done 'small 1.txt', 'small 2.txt' -InFlight { @(Get-StagingFile $into).Count -ge 2 }
            Get-Content -LiteralPath (Join-Path $into 'small 2.txt') | Should -Be 'small 2'
        }

        It 'leaves only complete files when a tree copied between two sandboxes is stopped midway' {
            $other = Start-TestAgent
            try {
                $otherSession = New-SbxSession -Domain $other.Domain -AccessToken $other.Token -Name stop-other
                foreach ($i in 1..2) { New-TextFile (Join-Path $agent.Home "stop-between/a small $i.txt") "small $i" | Out-Null }
                foreach ($i in 1..3) { New-SparseFile (Join-Path $agent.Home "stop-between/huge $i.bin") 4GB | Out-Null }
                $job = Copy-SbxItem -FromSession $session -ToSession $otherSession -Path stop-between -Destination stop-between -Recurse -ThrottleLimit 4 -AsJob
                $remote = Join-Path $other.Home 'stop-between'
                Stop-CopyJobMidway $job $remote -Done 'a small 1.txt', 'a small 2.txt' -InFlight { @(Get-ChildItem -LiteralPath $remote -Force).Count -ge 4 }
            }
            finally {
                if ($otherSession) { Remove-SbxSession -Session $otherSession }
                Stop-TestAgent $other
            }
        }

        It 'leaves nothing in the sandbox when an upload job is stopped midway' {
            $local = New-SparseFile (Join-Path $work 'stop/huge-up.bin') 4GB
            $remote = New-RemoteDir 'stop-up'
            $job = Copy-SbxItem -ToSandbox -Path $local -Destination stop-up -AsJob
            # The staging names of the client and the agent are removed once the upload is cancelled.
            Stop-CopyJobMidway $job $remote -Done @() -InFlight { [bool](Get-ChildItem -LiteralPath $remote -Force) }
        }
    }

    Context 'temporary files' {
        It 'leaves no staging file anywhere it copied to' {
            Get-StagingFile $work | Should -BeNullOrEmpty
            Get-StagingFile $agent.Home | Should -BeNullOrEmpty
        }
    }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestAgent.ps1')
    $agent = Start-TestAgent
    Import-Module (Get-TestModulePath) -Force
    $session = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token -Name main

    New-Item -ItemType Directory -Path (Join-Path $agent.Home 'tp/dir') | Out-Null
    Set-Content -LiteralPath (Join-Path $agent.Home 'tp/file.txt') -Value 'x'
    Set-Content -LiteralPath (Join-Path $agent.Home 'tp/a[1].txt') -Value 'x'
}

AfterAll {
    Get-SbxSession | Remove-SbxSession
    if ($agent) { Stop-TestAgent $agent }
}

Describe 'Test-SbxPath' -Tag Smoke {
    It 'is true for an existing file and directory' {
        $result = Test-SbxPath -Path tp/file.txt
        $result | Should -BeOfType ([bool])
        $result | Should -BeTrue
        Test-SbxPath -Path tp/dir | Should -BeTrue
        Test-SbxPath -Path / | Should -BeTrue
        Test-SbxPath -Path (Join-Path $agent.Home 'tp/file.txt') | Should -BeTrue
    }

    It 'is false, without an error, for a missing path' {
        $result = Test-SbxPath -Path tp/missing -ErrorVariable err
        $result | Should -BeOfType ([bool])
        $result | Should -BeFalse
        $err | Should -BeNullOrEmpty
        Test-SbxPath -Path no/such/dir/at/all | Should -BeFalse
    }

    It 'is false, without an error, for a path below a file, as Test-Path is' {
        $local = Join-Path $agent.Home 'tp/file.txt/inside'
        Test-Path -LiteralPath $local | Should -BeFalse
        Test-SbxPath -Path tp/file.txt/inside -ErrorVariable err | Should -BeFalse
        $err | Should -BeNullOrEmpty
        Test-SbxPath -LiteralPath tp/file.txt/a/b | Should -BeFalse
        $failure = { Get-SbxItem -LiteralPath tp/file.txt/inside -ErrorAction Stop } | Should -Throw -PassThru
        $failure.FullyQualifiedErrorId | Should -BeLike 'NotFound,*'
        $failure.Exception.Message | Should -BeLike '*file.txt'' is a file*'
    }

    It 'agrees with the OS after a change' {
        Test-SbxPath -Path tp/later.txt | Should -BeFalse
        Set-Content -LiteralPath (Join-Path $agent.Home 'tp/later.txt') -Value 'now'
        Test-SbxPath -Path tp/later.txt | Should -BeTrue
    }

    It 'is true for a wildcard that matches something, as Test-Path is' {
        Test-SbxPath -Path 'tp/*.txt' | Should -BeTrue
        Test-SbxPath -Path 'tp/*.log' | Should -BeFalse
        Test-SbxPath -Path 'tp/d*' -PathType Container | Should -BeTrue
        Test-SbxPath -Path 'tp/d*' -PathType Leaf | Should -BeFalse
        Test-SbxPath -Path 'missing-dir/*.txt' | Should -BeFalse
    }

    It 'takes a name with brackets literally with -LiteralPath, and with -Path when it matches nothing else' {
        Test-SbxPath -LiteralPath 'tp/a[1].txt' | Should -BeTrue
        Test-SbxPath -LiteralPath 'tp/*.txt' | Should -BeFalse
        Test-SbxPath -Path 'tp/a[1].txt' | Should -BeTrue
    }

    It 'checks for a directory with -PathType Container' {
        Test-SbxPath -Path tp/dir -PathType Container | Should -BeTrue
        Test-SbxPath -Path tp/file.txt -PathType Container | Should -BeFalse
        Test-SbxPath -Path tp/missing -PathType Container | Should -BeFalse
    }

    It 'checks for a file with -PathType Leaf' {
        Test-SbxPath -Path tp/file.txt -PathType Leaf | Should -BeTrue
        Test-SbxPath -Path tp/dir -PathType Leaf | Should -BeFalse
        Test-SbxPath -Path tp/missing -PathType Leaf | Should -BeFalse
    }

    It 'accepts -PathType Any and the -Type alias' {
        Test-SbxPath -Path tp/dir -PathType Any | Should -BeTrue
        Test-SbxPath -Path tp/dir -Type Leaf | Should -BeFalse
    }

    It 'answers once per path from the pipeline, in order' {
        $results = 'tp/file.txt', 'tp/missing', 'tp/dir', 'nope' | Test-SbxPath
        $results | Should -Be @($true, $false, $true, $false)
    }

    It 'answers once per path given as an array' {
        Test-SbxPath -Path tp/missing, tp/dir -PathType Container | Should -Be @($false, $true)
    }

    It 'takes items from the pipeline by property name' {
        $results = Get-SbxChildItem -Path tp | Test-SbxPath -PathType Leaf
        $results | Should -HaveCount 4
        ($results | Where-Object { $_ }) | Should -HaveCount 3
    }

    It 'answers 200 piped paths in their order with <Limit> in flight' -ForEach @(@{ Limit = 1 }, @{ Limit = 16 }, @{ Limit = 64 }) {
        $paths = foreach ($i in 0..199) { if ($i % 5 -eq 0) { "tp/none-$i" } elseif ($i % 5 -eq 1) { 'tp/dir' } else { 'tp/file.txt' } }
        $expected = foreach ($i in 0..199) { $i % 5 -ge 2 }
        $results = $paths | Test-SbxPath -PathType Leaf -ThrottleLimit $Limit
        $results | Should -HaveCount 200
        $results | Should -Be $expected
    }
}

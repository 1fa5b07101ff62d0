BeforeAll {
    . (Join-Path $PSScriptRoot 'TestAgent.ps1')
    $agent = Start-TestAgent
    $modulePath = Get-TestModulePath
    Import-Module $modulePath -Force
    $session = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token -Name main

    function New-TestFolder([string] $Name) {
        $path = Join-Path $agent.Home ($Name + '-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
        New-Item -ItemType Directory -Path $path | Out-Null
        $path
    }
}

AfterAll {
    Get-SbxSession | Remove-SbxSession
    if ($agent) { Stop-TestAgent $agent }
}

Describe 'Wait-SbxItem' {
    It 'returns an existing file at once, as Get-SbxItem does' {
        $folder = New-TestFolder 'wait-now'
        Set-Content -LiteralPath (Join-Path $folder 'done.txt') -Value 'ok'

        $item = Wait-SbxItem -Path (Join-Path $folder 'done.txt') -TimeoutSec 20

        $item | Should -BeOfType ([ScaleBox.Sandbox.Client.Files.SandboxItem])
        $item.Path | Should -Be (Join-Path $folder 'done.txt')
        $item.Name | Should -Be (Get-SbxItem (Join-Path $folder 'done.txt')).Name
    }

    It 'returns a file made later when it appears' {
        $folder = New-TestFolder 'wait-later'
        $writer = Start-LocalBash "sleep 1; echo ok > '$folder/done.txt'"
        try {
            $item = Wait-SbxItem -Path (Join-Path $folder 'done.txt') -TimeoutSec 30
        }
        finally {
            Stop-Process -Id $writer.Id -Force -ErrorAction SilentlyContinue
        }
        $item.Name | Should -Be 'done.txt'
    }

    It 'reports a timeout as an OperationTimeout error' {
        $folder = New-TestFolder 'wait-timeout'

        $result = Wait-SbxItem -Path (Join-Path $folder 'never.txt') -TimeoutSec 1 -ErrorVariable late -ErrorAction SilentlyContinue

        $result | Should -BeNullOrEmpty
        $late[0].FullyQualifiedErrorId | Should -BeLike 'WaitTimeout,*'
        $late[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
        $late[0].TargetObject | Should -Be (Join-Path $folder 'never.txt')
    }

    It 'reports a missing parent directory as NotFound' {
        $folder = New-TestFolder 'wait-noparent'
        Wait-SbxItem -Path (Join-Path $folder 'a/b.txt') -TimeoutSec 5 -ErrorVariable missing -ErrorAction SilentlyContinue
        $missing[0].FullyQualifiedErrorId | Should -BeLike 'NotFound,*'
    }
}

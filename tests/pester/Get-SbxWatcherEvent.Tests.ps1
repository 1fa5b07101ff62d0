BeforeAll {
    . (Join-Path $PSScriptRoot 'TestAgent.ps1')
    $agent = Start-TestAgent
    $modulePath = Get-TestModulePath
    Import-Module $modulePath -Force
    $grpc = New-SbxSession -Domain $agent.Http2Domain -AccessToken $agent.Token -Protocol Grpc -Name grpc
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

Describe 'Get-SbxWatcherEvent' {
    Context 'streaming -Path' {
        It 'streams changes with relative names until Select-Object -First has enough (<Name>)' -ForEach @(
            @{ Name = 'GrpcWeb' }, @{ Name = 'Grpc' }
        ) {
            $folder = New-TestFolder 'stream'
            $use = if ($Name -eq 'Grpc') { $grpc } else { $session }
            $writer = Start-LocalWriter -Folder $folder -Prefix s
            try {
                $events = Get-SbxWatcherEvent -Path $folder -Wait -TimeoutSec 30 -Session $use |
                    Where-Object ChangeType -eq 'Create' | Select-Object -First 3
            }
            finally {
                Stop-Process -Id $writer.Id -Force -ErrorAction SilentlyContinue
            }
            $events | Should -HaveCount 3
            $events | ForEach-Object { $_ | Should -BeOfType ([ScaleBox.Sandbox.Client.Watch.SandboxFileChange]) }
            $events.Name | ForEach-Object { $_ | Should -Match '^s\d+\.txt$' }
            $events[0].FullPath | Should -Be (Join-Path $folder $events[0].Name)
        }

        It 'sees a new subfolder''s files with -Recurse' {
            $folder = New-TestFolder 'stream-rec'
            New-Item -ItemType Directory -Path (Join-Path $folder 'sub') | Out-Null
            $writer = Start-LocalWriter -Folder (Join-Path $folder 'sub') -Prefix r
            try {
                $e = Get-SbxWatcherEvent $folder -Recurse -TimeoutSec 30 | Select-Object -First 1
            }
            finally {
                Stop-Process -Id $writer.Id -Force -ErrorAction SilentlyContinue
            }
            $e.Name | Should -Match '^sub/r\d+\.txt$'
        }

        It 'streams only changes to names that -Filter matches' {
            $folder = New-TestFolder 'stream-filter'
            $writer = Start-LocalWriter -Folder $folder -Prefix f
            try {
                $events = Get-SbxWatcherEvent -Path $folder -Filter 'f*[13579].txt' -TimeoutSec 30 | Select-Object -First 4
            }
            finally {
                Stop-Process -Id $writer.Id -Force -ErrorAction SilentlyContinue
            }
            $events | Should -HaveCount 4
            $events.Name | ForEach-Object { $_ | Should -Match '^f\d*[13579]\.txt$' }
        }

        It 'ends quietly at -TimeoutSec' {
            $folder = New-TestFolder 'stream-quiet'
            $events = Get-SbxWatcherEvent -Path $folder -TimeoutSec 1 -ErrorVariable problems
            $events | Should -BeNullOrEmpty
            $problems | Should -BeNullOrEmpty
        }

        It 'reports a missing directory and a file clearly' {
            $folder = New-TestFolder 'stream-bad'
            Set-Content -LiteralPath (Join-Path $folder 'plain.txt') -Value 'x'
            Get-SbxWatcherEvent -Path (Join-Path $folder 'nope') -TimeoutSec 5 -ErrorVariable missing -ErrorAction SilentlyContinue
            $missing[0].FullyQualifiedErrorId | Should -BeLike 'NotFound,*'
            Get-SbxWatcherEvent -Path (Join-Path $folder 'plain.txt') -TimeoutSec 5 -ErrorVariable file -ErrorAction SilentlyContinue
            $file[0].FullyQualifiedErrorId | Should -BeLike 'InvalidArgument,*'
            $file[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        }
    }

    Context 'draining -Watcher' {
        It 'drains only changes to names that -Filter matches, dropping the rest' {
            $folder = New-TestFolder 'drain-filter'
            $w = New-SbxWatcher -Path $folder
            try {
                Set-Content -LiteralPath (Join-Path $folder 'a.txt') -Value 'a'
                Set-Content -LiteralPath (Join-Path $folder 'b.py') -Value 'b'
                $got = [System.Collections.Generic.List[object]]::new()
                Wait-Until { @(Get-SbxWatcherEvent -Watcher $w -Filter '*.py') | ForEach-Object { $got.Add($_) }; $got.Name -contains 'b.py' }
                $got.Name | Select-Object -Unique | Should -Be 'b.py'
                Get-SbxWatcherEvent -Watcher $w | Should -BeNullOrEmpty -Because 'the changes it filtered out were drained too'
            }
            finally {
                $w | Remove-SbxWatcher
            }
        }

        It 'drains 10,000 changes without loss and in order' {
            $folder = New-TestFolder 'drain'
            $w = New-SbxWatcher -Path $folder
            try {
                $seen = [System.Collections.Generic.List[string]]::new()
                for ($i = 0; $i -lt 10000; $i++) {
                    [System.IO.File]::Create((Join-Path $folder ('f{0:D5}' -f $i))).Dispose()
                    if ($i % 1000 -eq 999) {
                        Get-SbxWatcherEvent -Watcher $w | Where-Object ChangeType -eq 'Create' | ForEach-Object { $seen.Add($_.Name) }
                    }
                }
                $deadline = [DateTime]::UtcNow.AddSeconds(30)
                while ($seen.Count -lt 10000 -and [DateTime]::UtcNow -lt $deadline) {
                    $batch = @(Get-SbxWatcherEvent -Watcher $w)
                    $batch | Where-Object ChangeType -eq 'Create' | ForEach-Object { $seen.Add($_.Name) }
                    if ($batch.Count -eq 0) { Start-Sleep -Milliseconds 100 }
                }
            }
            finally {
                $w | Remove-SbxWatcher -Confirm:$false
            }
            $seen.Count | Should -Be 10000
            $expected = 0..9999 | ForEach-Object { 'f{0:D5}' -f $_ }
            ($seen -join ',') | Should -BeExactly ($expected -join ',')
        }

        It 'warns when the watcher dropped changes before it was drained, and says how many' {
            $small = Start-TestAgent -ArgumentList '--watcher-capacity', '10'
            $smallSession = New-SbxSession -Domain $small.Domain -AccessToken $small.Token -Name small-queue
            try {
                $folder = Join-Path $small.Home 'lossy'
                New-Item -ItemType Directory -Path $folder | Out-Null
                $w = New-SbxWatcher -Path $folder -Session $smallSession
                for ($i = 0; $i -lt 30; $i++) {
                    [System.IO.File]::Create((Join-Path $folder "x$i")).Dispose()
                }
                # The changes reach the watcher as inotify reports them: drain until the loss is told.
                $got = @()
                $warnings = @()
                $deadline = [DateTime]::UtcNow.AddSeconds(20)
                while ($warnings.Count -eq 0 -and [DateTime]::UtcNow -lt $deadline) {
                    Start-Sleep -Milliseconds 200
                    $got += @(Get-SbxWatcherEvent -Watcher $w -Session $smallSession -WarningVariable drainWarnings -WarningAction SilentlyContinue)
                    $warnings += @($drainWarnings)
                }
                $warnings[0] | Should -Match 'dropped its (\d+) oldest changes'
                [int]([regex]::Match("$($warnings[0])", 'dropped its (\d+)').Groups[1].Value) | Should -BeGreaterThan 0
                $got.Count | Should -BeLessOrEqual 10 -Because 'the watcher holds at most 10 changes'
            }
            finally {
                Remove-SbxSession -Session $smallSession
                Stop-TestAgent $small
            }
        }

        It 'keeps draining with -Wait until -TimeoutSec' {
            $folder = New-TestFolder 'drain-wait'
            $w = New-SbxWatcher -Path $folder
            $writer = Start-LocalWriter -Folder $folder -Prefix d
            try {
                $events = Get-SbxWatcherEvent -Watcher $w -Wait -TimeoutSec 30 | Where-Object ChangeType -eq 'Create' | Select-Object -First 2
            }
            finally {
                Stop-Process -Id $writer.Id -Force -ErrorAction SilentlyContinue
                $w | Remove-SbxWatcher -Confirm:$false
            }
            $events.Name | Should -Be @('d001.txt', 'd002.txt')
        }
    }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestAgent.ps1')
    $agent = Start-TestAgent
    $modulePath = Get-TestModulePath
    Import-Module $modulePath -Force
    $session = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token -Name main
    # The agent's own inotify watches, before any test watches anything.
    $baselineWatches = Get-InotifyWatchCount -ProcessId $agent.Process.Id

    function New-TestFolder([string] $Name) {
        $path = Join-Path $agent.Home ($Name + '-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
        New-Item -ItemType Directory -Path $path | Out-Null
        $path
    }

    function Wait-Change([string] $SourceIdentifier, [scriptblock] $Match, [int] $TimeoutSec = 20) {
        <# Takes events of the subscription off the queue until one matches; bounded. #>
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
        $passedOver = [System.Collections.Generic.List[string]]::new()
        while ([DateTime]::UtcNow -lt $deadline) {
            $e = Wait-Event -SourceIdentifier $SourceIdentifier -Timeout 1
            if ($e) {
                $e | Remove-Event
                if (& $Match $e.SourceEventArgs) { return $e }
                $passedOver.Add("$($e.SourceEventArgs.ChangeType) '$($e.SourceEventArgs.Name)' $($e.SourceEventArgs.Gap)$($e.SourceEventArgs.Error)")
            }
        }
        throw "No matching event for '$SourceIdentifier' within $TimeoutSec s: { $Match }; passed over: $($passedOver -join '; ')"
    }

    function Wait-Until([scriptblock] $Condition, [int] $TimeoutSec = 20) {
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
        while (-not (& $Condition)) {
            if ([DateTime]::UtcNow -gt $deadline) { throw "Timed out after $TimeoutSec s waiting for { $Condition }" }
            Start-Sleep -Milliseconds 100
        }
    }
}

AfterAll {
    Get-EventSubscriber -ErrorAction SilentlyContinue | Unregister-Event -ErrorAction SilentlyContinue
    Get-SbxSession | Remove-SbxSession
    if ($agent) { Stop-TestAgent $agent }
}

Describe 'Register-SbxWatcher' {
    AfterEach {
        Get-EventSubscriber -ErrorAction SilentlyContinue | Unregister-Event -ErrorAction SilentlyContinue
        Get-Event -ErrorAction SilentlyContinue | Remove-Event -ErrorAction SilentlyContinue
        # A watch ends on the agent a moment after its subscription; the next test counts from none.
        Wait-Until { (Get-InotifyWatchCount -ProcessId $agent.Process.Id) -eq $baselineWatches }
    }

    It 'queues create, write, rename and remove events with names relative to the directory' {
        $folder = New-TestFolder 'reg'
        Register-SbxWatcher -Path $folder -SourceIdentifier reg.basic

        Set-Content -LiteralPath (Join-Path $folder 'a.txt') -Value 'one'

        $created = Wait-Change reg.basic { param($a) $a.Name -eq 'a.txt' -and $a.ChangeType -eq 'Create' }
        # Microseconds after the Create, and still behind it in the queue.
        (Wait-Event -SourceIdentifier reg.basic -Timeout 20).SourceEventArgs.ChangeType | Should -Be 'Write'
        $created.SourceEventArgs.FullPath | Should -Be (Join-Path $folder 'a.txt')
        $created.SourceEventArgs.Session.Name | Should -Be 'main'
        $created.SourceEventArgs.TimeGenerated | Should -BeOfType [datetime]
        $created.SourceEventArgs | Should -BeOfType ([ScaleBox.Sandbox.Watch.SbxWatcherEventArgs])
        $created.Sender | Should -BeOfType ([ScaleBox.Sandbox.Watch.SbxWatcherEventSource])

        Move-Item -LiteralPath (Join-Path $folder 'a.txt') -Destination (Join-Path $folder 'b.txt')
        Wait-Change reg.basic { param($a) $a.Name -eq 'a.txt' -and $a.ChangeType -eq 'Rename' } | Should -Not -BeNullOrEmpty
        Remove-Item -LiteralPath (Join-Path $folder 'b.txt')
        Wait-Change reg.basic { param($a) $a.Name -eq 'b.txt' -and $a.ChangeType -eq 'Remove' } | Should -Not -BeNullOrEmpty
    }

    It 'gives clean full paths for a path written with . segments and extra slashes' {
        $folder = New-TestFolder 'dotted'
        $relative = [System.IO.Path]::GetRelativePath($agent.Home, $folder)
        Register-SbxWatcher -Path "./$relative/.//" -SourceIdentifier reg.dotted
        Set-Content -LiteralPath (Join-Path $folder 'c.txt') -Value 'c'
        $created = Wait-Change reg.dotted { param($a) $a.Name -eq 'c.txt' -and $a.ChangeType -eq 'Create' }
        $created.SourceEventArgs.WatchedPath | Should -Be $folder
        $created.SourceEventArgs.FullPath | Should -Be (Join-Path $folder 'c.txt')
    }

    It 'queues only changes to names that -Filter matches, at any depth, and none of an upload''s staging names' {
        $folder = New-TestFolder 'filtered'
        Register-SbxWatcher -Path $folder -Recurse -Filter '*.py', 'Makefile' -SourceIdentifier reg.filtered
        New-Item -ItemType Directory -Path (Join-Path $folder 'sub') | Out-Null
        Set-Content -LiteralPath (Join-Path $folder 'skip.txt') -Value 'x'
        Set-SbxContent -Path (Join-Path $folder 'up.py') -Value 'print(1)'   # written as .up.py.sbxpart-<hex>, then renamed
        Set-Content -LiteralPath (Join-Path $folder 'sub/deep.py') -Value 'y'
        Set-Content -LiteralPath (Join-Path $folder 'Makefile') -Value 'all:'
        Set-Content -LiteralPath (Join-Path $folder 'last.py') -Value 'z'
        $seen = [System.Collections.Generic.List[string]]::new()
        Wait-Change reg.filtered { param($a) $seen.Add($a.Name); $a.Name -eq 'last.py' } | Out-Null
        $seen | Select-Object -Unique | Should -Be @('up.py', 'sub/deep.py', 'Makefile', 'last.py')
    }

    It 'queues a burst of changes in the order they happened, and runs -Action in that order' {
        # PowerShell queues each CLR event on a thread-pool item of its own; events of a burst
        # raised that way reach the queue shuffled. One process creates the files one by one, so
        # the agent's order is known: f1 to f40.
        $folder = New-TestFolder 'reg-order'
        $acted = [System.Collections.Concurrent.ConcurrentQueue[string]]::new()
        Register-SbxWatcher $folder -SourceIdentifier reg.order
        $null = Register-SbxWatcher $folder -SourceIdentifier reg.order.action -MessageData $acted -Action {
            if ($EventArgs.ChangeType -eq 'Create') { $Event.MessageData.Enqueue($EventArgs.Name) }
        }
        $expected = 1..40 | ForEach-Object { "f$_" }

        & bash -c 'cd "$1" && for i in $(seq 1 40); do : > "f$i"; done' bash $folder

        $queued = foreach ($name in $expected) {
            (Wait-Change reg.order { param($a) $a.ChangeType -eq 'Create' }).SourceEventArgs.Name
        }
        $queued -join ',' | Should -Be ($expected -join ',')
        Wait-Until { $acted.Count -eq 40 }
        $acted.ToArray() -join ',' | Should -Be ($expected -join ',')
    }

    It 'stops after -MaxTriggerCount events and ends the watch on the agent' {
        $folder = New-TestFolder 'reg-max'
        $before = Get-InotifyWatchCount -ProcessId $agent.Process.Id
        Register-SbxWatcher $folder -SourceIdentifier reg.max -MaxTriggerCount 2
        Wait-Until { (Get-InotifyWatchCount -ProcessId $agent.Process.Id) -gt $before }

        & bash -c 'cd "$1" && for i in 1 2 3 4 5; do : > "m$i"; done' bash $folder

        Wait-Until { (Get-InotifyWatchCount -ProcessId $agent.Process.Id) -eq $before }
        Get-EventSubscriber -SourceIdentifier reg.max -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $events = @(Get-Event -SourceIdentifier reg.max -ErrorAction SilentlyContinue)
        $events.SourceEventArgs.Name -join ',' | Should -Be 'm1,m2'
    }

    It 'sees the files of a subfolder made later with -Recurse' {
        $folder = New-TestFolder 'reg-rec'
        Register-SbxWatcher $folder -Recurse -SourceIdentifier reg.rec
        New-Item -ItemType Directory -Path (Join-Path $folder 'sub') | Out-Null
        Wait-Change reg.rec { param($a) $a.Name -eq 'sub' -and $a.ChangeType -eq 'Create' } | Out-Null

        Set-Content -LiteralPath (Join-Path $folder 'sub/deep.txt') -Value 'x'

        $deep = Wait-Change reg.rec { param($a) $a.Name -eq 'sub/deep.txt' -and $a.ChangeType -eq 'Create' }
        $deep.SourceEventArgs.FullPath | Should -Be (Join-Path $folder 'sub/deep.txt')
    }

    It 'runs -Action with $EventArgs, $Event.MessageData and $Sender, and returns its job' {
        $folder = New-TestFolder 'reg-action'
        $seen = [System.Collections.Concurrent.ConcurrentQueue[string]]::new()
        $job = Register-SbxWatcher $folder -SourceIdentifier reg.action -MessageData $seen -Action {
            $Event.MessageData.Enqueue("$($EventArgs.ChangeType)|$($EventArgs.Name)|$($Sender.Path)")
        }
        $job | Should -BeOfType ([System.Management.Automation.PSEventJob])
        (Get-EventSubscriber -SourceIdentifier reg.action).Action.Id | Should -Be $job.Id

        Set-Content -LiteralPath (Join-Path $folder 'act.txt') -Value 'x'

        Wait-Until { $seen.ToArray() -contains "Create|act.txt|$folder" }
    }

    It 'makes Wait-Event return after a change' {
        $folder = New-TestFolder 'reg-wait'
        Register-SbxWatcher $folder -SourceIdentifier reg.wait
        Set-Content -LiteralPath (Join-Path $folder 'w.txt') -Value 'x'

        $e = Wait-Event -SourceIdentifier reg.wait -Timeout 20

        $e | Should -Not -BeNullOrEmpty
        $e.SourceIdentifier | Should -Be 'reg.wait'
        $e.SourceEventArgs.Name | Should -Be 'w.txt'
    }

    It 'is listed by Get-EventSubscriber, and Unregister-Event ends the watch on the agent' {
        $folder = New-TestFolder 'reg-end'
        $before = Get-InotifyWatchCount -ProcessId $agent.Process.Id
        Register-SbxWatcher $folder -SourceIdentifier reg.end
        Get-EventSubscriber -SourceIdentifier reg.end | Should -Not -BeNullOrEmpty
        Wait-Until { (Get-InotifyWatchCount -ProcessId $agent.Process.Id) -gt $before }

        Unregister-Event -SourceIdentifier reg.end

        Wait-Until { (Get-InotifyWatchCount -ProcessId $agent.Process.Id) -eq $before }
        Get-EventSubscriber -SourceIdentifier reg.end -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'ends the watch on the agent when the action job is removed' {
        $folder = New-TestFolder 'reg-job'
        $before = Get-InotifyWatchCount -ProcessId $agent.Process.Id
        $job = Register-SbxWatcher $folder -SourceIdentifier reg.job -Action { }
        Wait-Until { (Get-InotifyWatchCount -ProcessId $agent.Process.Id) -gt $before }

        $job | Remove-Job -Force

        Wait-Until { (Get-InotifyWatchCount -ProcessId $agent.Process.Id) -eq $before }
    }

    It 'ends the watch on the agent when its runspace closes' {
        $folder = New-TestFolder 'reg-runspace'
        $before = Get-InotifyWatchCount -ProcessId $agent.Process.Id
        $ps = [powershell]::Create()
        $null = $ps.AddScript('param($Module, $Domain, $Token, $Folder) Import-Module $Module; $null = New-SbxSession -Domain $Domain -AccessToken $Token; Register-SbxWatcher $Folder -SourceIdentifier inner').
            AddArgument($modulePath).AddArgument($agent.Domain).AddArgument($agent.Token).AddArgument($folder)
        $null = $ps.Invoke()
        $ps.HadErrors | Should -BeFalse
        Wait-Until { (Get-InotifyWatchCount -ProcessId $agent.Process.Id) -gt $before }

        $ps.Runspace.Dispose()
        $ps.Dispose()

        Wait-Until { (Get-InotifyWatchCount -ProcessId $agent.Process.Id) -eq $before }
    }

    It 'forwards its events from a background job with -Forward' {
        # Start-Job runs its script in a pwsh of its own, reached through PowerShell remoting.
        $folder = New-TestFolder 'reg-forward'
        $job = Start-Job -ScriptBlock {
            param($Module, $Domain, $Token, $Folder)
            Import-Module $Module
            $null = New-SbxSession -Domain $Domain -AccessToken $Token
            Register-SbxWatcher $Folder -SourceIdentifier reg.forward -Forward
            'registered'
            Wait-Event -SourceIdentifier never -Timeout 60
        } -ArgumentList $modulePath, $agent.Domain, $agent.Token, $folder
        try {
            Wait-Until { $job.ChildJobs[0].Output -contains 'registered' -or $job.State -ne 'Running' } -TimeoutSec 60
            $job.ChildJobs[0].Error | Should -BeNullOrEmpty
            $job.State | Should -Be 'Running'

            Set-Content -LiteralPath (Join-Path $folder 'f.txt') -Value 'forwarded'

            # Both the Create and the Write come, but not always in that order: this session queues each
            # forwarded event on a thread-pool item of its own (PowerShell's AddForwardedEvent).
            $seen = [System.Collections.Generic.List[object]]::new()
            Wait-Change reg.forward { param($a) $seen.Add($a.SerializedRemoteEventArgs); ($seen.ChangeType -contains 'Create') -and ($seen.ChangeType -contains 'Write') } | Out-Null
            $created = @($seen | Where-Object ChangeType -EQ 'Create')[0]
            $created.Name | Should -Be 'f.txt'
            $created.FullPath | Should -Be (Join-Path $folder 'f.txt')
            $created.PSObject.TypeNames[0] | Should -Be 'Deserialized.ScaleBox.Sandbox.Watch.SbxWatcherEventArgs'
        }
        finally {
            $job | Remove-Job -Force
        }
    }

    It 'queues a Remove of the folder itself (Name .), then a Failed event, when the watched folder is removed' {
        $folder = New-TestFolder 'reg-gone'
        Register-SbxWatcher -Path $folder -SourceIdentifier reg.gone

        Remove-Item -LiteralPath $folder

        $self = Wait-Change reg.gone { param($a) $a.ChangeType -eq 'Remove' }
        $self.SourceEventArgs.Name | Should -Be '.'
        $self.SourceEventArgs.FullPath | Should -Be $folder
        # The agent keeps the stream open after it; the watch ends rather than wait in silence.
        $failed = Wait-Change reg.gone { param($a) $a.ChangeType -eq 'Failed' }
        $failed.SourceEventArgs.Error.Code | Should -Be 'NotFound'
        $failed.SourceEventArgs.Error.Message | Should -BeLike "*'$folder' was removed*"
    }

    It 'refuses a missing directory and a file with a clear error, registering nothing' {
        $folder = New-TestFolder 'reg-bad'
        Set-Content -LiteralPath (Join-Path $folder 'plain.txt') -Value 'x'

        $missing = { Register-SbxWatcher (Join-Path $folder 'nope') -SourceIdentifier reg.bad1 } | Should -Throw -PassThru
        $missing.FullyQualifiedErrorId | Should -BeLike 'NotFound,*'
        $missing.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $missing.Exception.Message | Should -BeLike '*nope*'

        $file = { Register-SbxWatcher (Join-Path $folder 'plain.txt') -SourceIdentifier reg.bad2 } | Should -Throw -PassThru
        $file.FullyQualifiedErrorId | Should -BeLike 'InvalidArgument,*'
        Get-EventSubscriber -ErrorAction SilentlyContinue | Where-Object SourceIdentifier -like 'reg.bad*' | Should -BeNullOrEmpty
    }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestAgent.ps1')
    $agent = Start-TestAgent
    $modulePath = Get-TestModulePath
    Import-Module $modulePath -Force
    $grpc = New-SbxSession -Domain $agent.Http2Domain -AccessToken $agent.Token -Protocol Grpc -Name grpc
    $session = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token -Name main

    # Code execution needs a real Jupyter kernel; CI installs one (python3-ipykernel).
    $noKernel = $null
    try {
        $python = New-SbxCodeContext -Language python -ErrorAction Stop
    }
    catch {
        $noKernel = "no Python kernel in this sandbox ($($_.Exception.Message)); install python3-ipykernel"
        Write-Host "Skipping code execution tests: $noKernel"
    }
}

AfterAll {
    Get-SbxCodeContext -ErrorAction SilentlyContinue | Remove-SbxCodeContext -ErrorAction SilentlyContinue
    Get-SbxSession | Remove-SbxSession
    if ($agent) { Stop-TestAgent $agent }
}

Describe 'Invoke-SbxCode' {
    BeforeEach {
        if ($noKernel) { Set-ItResult -Skipped -Because $noKernel }
    }

    Context 'output and results' {
        It 'writes printed lines as strings and the last expression as the main result, keeping state across calls' {
            $out = Invoke-SbxCode "total = 40`nprint('first')`nprint('second')`ntotal + 2" -Context $python
            $out[0] | Should -Be 'first'
            $out[1] | Should -Be 'second'
            $out[2] | Should -BeOfType ([ScaleBox.Sandbox.Client.Code.SandboxCodeResult])
            $out[2].IsMainResult | Should -BeTrue
            $out[2].Text | Should -Be '42'
            (Invoke-SbxCode 'total * 2' -Context $python).Text | Should -Be '80'
        }

        It 'shows a result as its value' {
            (Invoke-SbxCode "'abc' * 2" -Context $python | Out-String).Trim() | Should -Be 'abcabc'
        }

        It 'writes each line as it is printed, before the code has finished' {
            $run = Start-InRunspace "Invoke-SbxCode 'import time`nprint(""early"", flush=True)`ntime.sleep(3)`nprint(""late"")'"
            try {
                Wait-Until { $run.Output.Count -ge 1 } -TimeoutSec 30
                $run.Output[0] | Should -Be 'early'
                $run.Output.Count | Should -Be 1 -Because 'the second line is printed three seconds later'
                Wait-Until { $run.Output.Count -ge 2 } -TimeoutSec 30
                $run.Output[1] | Should -Be 'late'
            }
            finally {
                $run.PowerShell.Stop()
                $run.PowerShell.Dispose()
            }
        }

        It 'takes code from the pipeline and from a local script file, whose extension names the language' {
            'a = 2', 'b = 3', 'a * b' | Invoke-SbxCode -Context $python | ForEach-Object Text | Should -Be '6'
            $script = Join-Path $TestDrive 'script.sh'
            Set-Content -LiteralPath $script -Value 'echo "from a file: $((6*7))"'
            Invoke-SbxCode -Path $script | Should -Be 'from a file: 42'
        }

        It 'puts stderr in the error stream, without stopping a script' {
            $out = Invoke-SbxCode "import sys`nprint('out')`nprint('warn', file=sys.stderr)" -Context $python -ErrorVariable stderr -ErrorAction Stop 2>$null
            $out | Should -Be 'out'
            "$($stderr[0])" | Should -Be 'warn'
        }

        It 'works over gRPC (HTTP/2) too' {
            (Invoke-SbxCode '7 * 6' -Session $grpc).Text | Should -Be '42'
        }
    }

    Context 'errors' {
        It 'makes an exception an ErrorRecord named after it, with the traceback, so -ErrorAction Stop stops' {
            $caught = $null
            try {
                Invoke-SbxCode "def f():`n    return 1 / 0`nf()" -Context $python -ErrorAction Stop
                'not reached'
            }
            catch {
                $caught = $_
            }
            $caught | Should -Not -BeNullOrEmpty
            $caught.FullyQualifiedErrorId | Should -Be 'ZeroDivisionError,ScaleBox.Sandbox.Commands.InvokeSbxCodeCommand'
            $caught.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $caught.Exception.Message | Should -Be 'ZeroDivisionError: division by zero'
            $caught.ErrorDetails.Message | Should -Match 'return 1 / 0'
            $caught.ErrorDetails.Message | Should -Not -Match "`e\[" -Because 'terminal colours are stripped'
            $caught.TargetObject.Name | Should -Be 'ZeroDivisionError'
        }

        It 'sets $? to false and fits the category to the exception' {
            Invoke-SbxCode 'undefined_name' -Context $python -ErrorAction SilentlyContinue -ErrorVariable failed
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'NameError,*'
            $failed[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        }

        It 'stops with ScriptNotRead when the local script cannot be read: <Case>' -ForEach @(
            @{ Case = 'missing'; Category = 'ObjectNotFound'; Message = '*Could not find file*' }
            @{ Case = 'a directory'; Category = 'ReadError'; Message = '*is a directory; -Path takes a script file*' }
            @{ Case = 'held open by another'; Category = 'ReadError'; Message = '*being used by another process*' }
        ) {
            $folder = Join-Path ([System.IO.Path]::GetTempPath()) "sbx-script-$([guid]::NewGuid().ToString('N'))"
            New-Item -ItemType Directory -Path $folder | Out-Null
            $script = switch ($Case) {
                'missing' { Join-Path $folder 'missing.py' }
                'a directory' { $folder }
                default { Join-Path $folder 'held.py' }
            }
            $hold = $null
            if ($Case -eq 'held open by another') {
                Set-Content -LiteralPath $script -Value 'print(1)'
                $hold = Open-ExclusiveFile $script
            }
            try {
                $caught = $null
                try { Invoke-SbxCode -Path $script -Context $python -ErrorAction Stop } catch { $caught = $_ }
                $caught.FullyQualifiedErrorId | Should -Be 'ScriptNotRead,ScaleBox.Sandbox.Commands.InvokeSbxCodeCommand'
                $caught.CategoryInfo.Category | Should -Be $Category
                $caught.Exception.Message | Should -BeLike $Message
            }
            finally {
                if ($hold) { $hold.Dispose() }
                Remove-Item -LiteralPath $folder -Recurse -Force
            }
        }

        It 'writes what a dying kernel printed, then says how it ended; the context then refuses code and the default context starts over' {
            $doomed = New-SbxCodeContext -Language python
            try {
                $out = Invoke-SbxCode "import os, time`nprint('going', flush=True)`ntime.sleep(1)`nos._exit(7)" -Context $doomed -ErrorAction SilentlyContinue -ErrorVariable died
                $out | Should -Be 'going'
                $died[0].FullyQualifiedErrorId | Should -Be 'Aborted,ScaleBox.Sandbox.Commands.InvokeSbxCodeCommand'
                $died[0].Exception.Message | Should -BeLike '*the kernel exited with code 7 during this execution*destroy the context*'
                $died[0].Exception.Message | Should -Not -BeLike '*keeps its state*' -Because 'the advice for a lost connection does not fit a dead kernel'
                { Invoke-SbxCode '1' -Context $doomed -ErrorAction Stop } | Should -Throw -ErrorId 'FailedPrecondition,*' -ExpectedMessage '*exited with code 7*'
            }
            finally {
                Remove-SbxCodeContext $doomed
            }

            Invoke-SbxCode 'default_state = 1' -Language python
            Invoke-SbxCode 'import os; os._exit(0)' -Language python -ErrorAction SilentlyContinue -ErrorVariable defaultDied
            $defaultDied[0].Exception.Message | Should -BeLike '*the next execution that names no context starts a new kernel*'
            Invoke-SbxCode "'default_state' in globals()" -Language python | ForEach-Object Text | Should -Be 'False'
        }

        It 'says clearly that a language has no interpreter' {
            { Invoke-SbxCode 'x' -Language cobol -ErrorAction Stop } | Should -Throw -ErrorId 'FailedPrecondition,*' -ExpectedMessage '*cobol*'
        }
    }

    Context 'interrupting' {
        It 'interrupts an endless loop at -TimeoutSec and keeps the context''s state' {
            $null = Invoke-SbxCode 'kept = "still here"' -Context $python
            Invoke-SbxCode "import time`nwhile True: time.sleep(0.1)" -Context $python -TimeoutSec 2 -ErrorAction SilentlyContinue -ErrorVariable failed
            $failed.FullyQualifiedErrorId | Should -Contain 'DeadlineExceeded,ScaleBox.Sandbox.Commands.InvokeSbxCodeCommand'
            (Invoke-SbxCode 'kept' -Context $python).Text | Should -Be 'still here'
        }

        It 'interrupts on Ctrl+C at once, and the context goes on with its state' {
            $id = $python.Id
            $run = Start-InRunspace "Invoke-SbxCode 'import time`nprint(""looping"", flush=True)`nwhile True: time.sleep(0.1)' -Context '$id'"
            try {
                Wait-Until { $run.Output.Count -ge 1 } -TimeoutSec 30
                $run.PowerShell.Stop()
                $run.PowerShell.InvocationStateInfo.State | Should -Be 'Stopped'
            }
            finally {
                $run.PowerShell.Dispose()
            }
            (Invoke-SbxCode 'kept' -Context $python).Text | Should -Be 'still here'
        }
    }

    Context 'rich results' {
        It 'stops before the code runs when -OutputDirectory names a file' {
            $file = Join-Path $TestDrive 'not-a-folder'
            Set-Content -LiteralPath $file -Value 'x'
            { Invoke-SbxCode 'ran_anyway = 1' -Context $python -OutputDirectory $file -ErrorAction Stop } |
                Should -Throw -ErrorId 'OutputDirectoryIsFile,*' -ExpectedMessage '*is a file; name a folder*'
            (Invoke-SbxCode "'ran_anyway' in dir()" -Context $python).Text | Should -Be 'False'
        }

        It 'reports a result it cannot save as ResultNotSaved and goes on with the output' {
            $file = Join-Path $TestDrive 'blocking-file'
            Set-Content -LiteralPath $file -Value 'x'
            # The folder would be made below a file: it cannot be.
            $out = Invoke-SbxCode "import matplotlib.pyplot as plt`nplt.plot([1, 2])`nplt.show()`nprint('after')" -Context $python -OutputDirectory (Join-Path $file 'plots') -ErrorAction SilentlyContinue -ErrorVariable failed
            $failed | Should -HaveCount 1
            $failed[0].FullyQualifiedErrorId | Should -Be 'ResultNotSaved,ScaleBox.Sandbox.Commands.InvokeSbxCodeCommand'
            $failed[0].CategoryInfo.Category | Should -Be 'WriteError'
            @($out | Where-Object { $_ -is [ScaleBox.Sandbox.Client.Code.SandboxCodeResult] }).Count | Should -Be 1
            $out | Should -Contain 'after'
        }

        It 'makes no folder for a result of text alone' {
            $folder = Join-Path $TestDrive 'text-only'
            (Invoke-SbxCode '6 * 7' -Context $python -OutputDirectory $folder).Text | Should -Be '42'
            Test-Path -LiteralPath $folder | Should -BeFalse
        }

        It 'saves a plot to -OutputDirectory under its title and returns the file, with the chart''s points' {
            $folder = Join-Path $TestDrive 'plots'
            $out = Invoke-SbxCode "import matplotlib.pyplot as plt`nplt.plot([1, 2, 3], [2, 4, 8], label='growth')`nplt.title('Growth Curve')`nplt.xlabel('t')`nplt.show()" -Context $python -OutputDirectory $folder
            $result = $out | Where-Object { $_ -is [ScaleBox.Sandbox.Client.Code.SandboxCodeResult] }
            $file = $out | Where-Object { $_ -is [System.IO.FileInfo] }
            $file.FullName | Should -Be (Join-Path $folder 'growth-curve.png')
            ($file | Format-Table | Out-String) | Should -Be (Get-Item -LiteralPath $file.FullName | Format-Table | Out-String) -Because 'it is the item Get-Item returns'
            [System.IO.File]::ReadAllBytes($file.FullName)[1..3] | Should -Be ([byte[]][char[]]'PNG')
            $result.IsMainResult | Should -BeFalse
            "$result" | Should -Match '^<image/png \d+x\d+>$'
            $result.Chart.Type | Should -Be 'line'
            $result.Chart.Title | Should -Be 'Growth Curve'
            $result.Chart.XLabel | Should -Be 't'
            $result.Chart.Rows | ForEach-Object { '{0},{1}' -f $_.X, $_.Y } | Should -Be @('1,2', '2,4', '3,8')
            $csv = Join-Path $TestDrive 'points.csv'
            $result.Chart.Rows | Export-Csv -LiteralPath $csv
            (Import-Csv -LiteralPath $csv).Y | Should -Be @('2', '4', '8')
        }

        It 'reads a bar chart''s labels and values' {
            $result = Invoke-SbxCode "import matplotlib.pyplot as plt`nplt.bar(['north', 'south'], [3, 5])`nplt.show()" -Context $python
            $result.Chart.Type | Should -Be 'bar'
            $result.Chart.Elements.Label | Should -Be @('north', 'south')
            $result.Chart.Elements.Value | Should -Be @('3', '5')
        }

        It 'gives a pandas DataFrame as text and html' {
            $result = Invoke-SbxCode "import pandas as pd`npd.DataFrame({'a': [1, 2], 'b': ['x', 'y']})" -Context $python
            $result.Html | Should -Match '<table'
            $result.Text | Should -Match 'a\s+b'
            $folder = Join-Path $TestDrive 'frames'
            $saved = Invoke-SbxCode "pd.DataFrame({'c': [3]})" -Context $python -OutputDirectory $folder | Where-Object { $_ -is [System.IO.FileInfo] }
            Get-Content -LiteralPath $saved.FullName -Raw | Should -Match '<table'
        }
    }

    Context 'contexts, working directory and environment' {
        It 'keeps two contexts apart' {
            $a = New-SbxCodeContext
            $b = New-SbxCodeContext
            $null = Invoke-SbxCode 'who = "a"' -Context $a
            $null = Invoke-SbxCode 'who = "b"' -Context $b.Id
            (Invoke-SbxCode 'who' -Context $a).Text | Should -Be 'a'
            (Invoke-SbxCode 'who' -Context $b).Text | Should -Be 'b'
            $a, $b | Remove-SbxCodeContext
        }

        It 'runs in the context''s working directory' {
            $dir = Join-Path $agent.Home 'code-cwd'
            New-Item -ItemType Directory -Path $dir -Force | Out-Null
            $here = New-SbxCodeContext -WorkingDirectory $dir
            (Invoke-SbxCode 'import os; os.getcwd()' -Context $here).Text | Should -Be $dir
            $here | Remove-SbxCodeContext
        }

        It 'applies -Environment to that call only' {
            (Invoke-SbxCode "import os; os.environ.get('SBX_ONE', 'unset')" -Context $python -Environment @{ SBX_ONE = 'set' }).Text | Should -Be 'set'
            (Invoke-SbxCode "import os; os.environ.get('SBX_ONE', 'unset')" -Context $python).Text | Should -Be 'unset'
        }

        It 'keeps state in bash and node contexts' {
            $shell = New-SbxCodeContext -Language bash
            $null = Invoke-SbxCode 'greet() { echo "hi $1"; }; cd /tmp' -Context $shell
            Invoke-SbxCode 'greet there; pwd' -Context $shell | Should -Be @('hi there', '/tmp')
            $node = New-SbxCodeContext -Language javascript
            $null = Invoke-SbxCode 'let n = 20' -Context $node
            (Invoke-SbxCode 'n + 22' -Context $node).Text | Should -Be '42'
            $shell, $node | Remove-SbxCodeContext
        }
    }

    Context 'large output' {
        It 'writes 20 MB printed whole and in order' {
            $count = 0
            $last = $null
            Invoke-SbxCode "for i in range(200000):`n    print('%08d' % i + 'x' * 92)" -Context $python | ForEach-Object {
                if ($_ -isnot [string] -or $_.Length -ne 100 -or [int]$_.Substring(0, 8) -ne $count) { throw "line $count is wrong: $_" }
                $count++
                $last = $_
            }
            $count | Should -Be 200000
            $last.Substring(0, 8) | Should -Be '00199999'
        }
    }
}

Describe 'Invoke-SbxCode when the agent goes away' {
    It 'fails at once when the agent is killed mid-execution, and says the context keeps its state unless the agent restarted' -Skip:($null -ne $noKernel) {
        # An agent of its own, killed by its pid; the shared one stays up for the other tests.
        $doomed = Start-TestAgent
        try {
            $victim = New-SbxSession -Domain $doomed.Domain -AccessToken $doomed.Token -Name doomed
            $context = New-SbxCodeContext -Language python -Session $victim -ErrorAction Stop
            $run = Start-InRunspace -Agent $doomed -Script @"
try { Invoke-SbxCode "import time`nprint('computing', flush=True)`ntime.sleep(60)" -Context '$($context.Id)' -ErrorAction Stop }
catch { `$_ }
"@
            Wait-Until { $run.Output.Count -ge 1 } -TimeoutSec 60
            Stop-Process -Id $doomed.Process.Id -Force
            Wait-Until { $run.Async.IsCompleted } -TimeoutSec 20

            $record = $run.Output | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] } | Select-Object -First 1
            $record | Should -Not -BeNullOrEmpty
            $record.FullyQualifiedErrorId | Should -Match '^(Unavailable|Aborted),'
            $record.Exception.Message | Should -BeLike "*context $($context.Id)*"
            $record.Exception.Message | Should -BeLike '*keeps its state*'
            $record.Exception.Message | Should -BeLike '*If the agent restarted*make a new one*'
            $record.Exception.Message | Should -Not -BeLike "*$($doomed.Token)*"
        }
        finally {
            if ($run) { $run.PowerShell.Dispose() }
            Get-SbxSession -Name doomed -ErrorAction SilentlyContinue | Remove-SbxSession
            Stop-TestAgent $doomed
        }
    }
}

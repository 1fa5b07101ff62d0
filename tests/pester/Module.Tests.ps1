BeforeDiscovery {
    $manifestData = Import-PowerShellDataFile -LiteralPath (Join-Path $PSScriptRoot '../../ScaleBox.Sandbox.psd1')
    $cmdletCases = @($manifestData.CmdletsToExport | ForEach-Object { @{ Name = $_ } })
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestAgent.ps1')
    $agent = Start-TestAgent
    $modulePath = Get-TestModulePath
    $module = Import-Module $modulePath -Force -PassThru
    $session = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token -Name main
    $manifestPath = Join-Path $modulePath 'ScaleBox.Sandbox.psd1'
    $manifestData = Import-PowerShellDataFile -LiteralPath $manifestPath

    # The cmdlets that write objects (some only with -PassThru); the others (Remove-*) write nothing.
    $expectedOutput = @{
        'New-SbxSession'   = 'ScaleBox.Sandbox.Sessions.SbxSession'
        'Get-SbxSession'   = 'ScaleBox.Sandbox.Sessions.SbxSession'
        'Test-SbxSession'  = 'System.Boolean'
        'Get-SbxItem'      = 'ScaleBox.Sandbox.Client.Files.SandboxItem'
        'Get-SbxChildItem' = 'ScaleBox.Sandbox.Client.Files.SandboxItem'
        'New-SbxItem'      = 'ScaleBox.Sandbox.Client.Files.SandboxItem'
        'Move-SbxItem'     = 'ScaleBox.Sandbox.Client.Files.SandboxItem'
        'Test-SbxPath'     = 'System.Boolean'
        'Copy-SbxItem'     = 'System.IO.FileInfo'
        'Get-SbxContent'   = 'System.String'
        'Set-SbxContent'   = 'ScaleBox.Sandbox.Client.Files.SandboxItem'
        'Add-SbxContent'   = 'ScaleBox.Sandbox.Client.Files.SandboxItem'
        'Get-SbxFileUrl'   = 'System.String'
        'Start-SbxProcess' = 'ScaleBox.Sandbox.Client.Processes.SandboxProcessOutput'
        'Get-SbxProcess'   = 'ScaleBox.Sandbox.Client.Processes.SandboxProcessInfo'
        'Receive-SbxProcess' = 'ScaleBox.Sandbox.Client.Processes.SandboxProcessOutput'
        'Wait-SbxProcess'  = 'ScaleBox.Sandbox.Client.Processes.SandboxProcessExit'
        'Stop-SbxProcess'  = 'ScaleBox.Sandbox.Client.Processes.SandboxProcessInfo'
        'Enter-SbxShell'   = 'ScaleBox.Sandbox.Client.Processes.SandboxProcessExit'
        'Register-SbxWatcher' = 'System.Management.Automation.PSEventJob'
        'Get-SbxWatcherEvent' = 'ScaleBox.Sandbox.Client.Watch.SandboxFileChange'
        'New-SbxWatcher'   = 'ScaleBox.Sandbox.Client.Watch.SandboxWatcher'
        'Wait-SbxItem'     = 'ScaleBox.Sandbox.Client.Files.SandboxItem'
        'Invoke-SbxCode'   = 'ScaleBox.Sandbox.Client.Code.SandboxCodeResult'
        'New-SbxCodeContext' = 'ScaleBox.Sandbox.Client.Code.SandboxCodeContext'
        'Get-SbxCodeContext' = 'ScaleBox.Sandbox.Client.Code.SandboxCodeContext'
    }
    $helpRoot = 'https://github.com/scalebox-dev/ScaleBox.Sandbox/blob/main/docs/en-US/'
    $commonParameters = [System.Management.Automation.PSCmdlet]::CommonParameters +
        [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
}

AfterAll {
    Get-SbxSession | Remove-SbxSession
    if ($agent) { Stop-TestAgent $agent }
}

Describe 'The ScaleBox.Sandbox module' {
    Context 'manifest' {
        It 'passes Test-ModuleManifest' {
            $info = Test-ModuleManifest -Path $manifestPath -ErrorAction Stop
            $info.Name | Should -Be 'ScaleBox.Sandbox'
            $info.Version | Should -Be ([version] $manifestData.ModuleVersion)
            $info.RootModule | Should -Be 'ScaleBox.Sandbox.psm1'
        }

        It 'is ready for the PowerShell Gallery' {
            $manifestData.Description | Should -Not -BeNullOrEmpty
            $manifestData.Author | Should -Not -BeNullOrEmpty
            $manifestData.GUID | Should -Match '^[0-9a-f-]{36}$'
            $manifestData.PrivateData.PSData.LicenseUri | Should -Not -BeNullOrEmpty
            $manifestData.PrivateData.PSData.ProjectUri | Should -Not -BeNullOrEmpty
            $manifestData.PrivateData.PSData.Tags | Should -Not -BeNullOrEmpty
            $manifestData.FunctionsToExport | Should -BeNullOrEmpty
            $manifestData.AliasesToExport | Should -BeNullOrEmpty
            $manifestData.VariablesToExport | Should -BeNullOrEmpty
        }

        It 'ships what the manifest names' {
            Test-Path -LiteralPath (Join-Path $modulePath 'ScaleBox.Sandbox.psm1') | Should -BeTrue
            foreach ($format in $manifestData.FormatsToProcess) {
                Test-Path -LiteralPath (Join-Path $modulePath $format) | Should -BeTrue
            }
            Test-Path -LiteralPath (Join-Path $modulePath 'LICENSE') | Should -BeTrue
        }

        It 'exports exactly the cmdlets CmdletsToExport lists' {
            $exported = Get-Command -Module ScaleBox.Sandbox | ForEach-Object Name | Sort-Object
            $exported | Should -Be ($manifestData.CmdletsToExport | Sort-Object)
            (Get-Command -Module ScaleBox.Sandbox).CommandType | Sort-Object -Unique | Should -Be 'Cmdlet'
            $module.ExportedCmdlets.Keys | Sort-Object | Should -Be ($manifestData.CmdletsToExport | Sort-Object)
        }

        It 'uses approved verbs and the Sbx noun prefix' {
            $approved = (Get-Verb).Verb
            foreach ($command in Get-Command -Module ScaleBox.Sandbox) {
                $approved | Should -Contain $command.Verb
                $command.Noun | Should -BeLike 'Sbx*'
            }
        }

        It 'imports again with -Force in the same session' {
            { Import-Module $modulePath -Force -ErrorAction Stop } | Should -Not -Throw
            (Get-Command Get-SbxItem).Source | Should -Be 'ScaleBox.Sandbox'
        }
    }

    Context 'about topic' {
        It 'has an about_ScaleBox.Sandbox help topic' {
            $topic = Get-Help -Name about_ScaleBox.Sandbox -ErrorAction SilentlyContinue
            ($topic | Out-String) | Should -Match 'New-SbxSession'
        }

        It 'names every cmdlet that ships, and none that does not (about topics and README)' {
            $about = Get-Content -LiteralPath (Join-Path $PSScriptRoot '../../docs/en-US/about_ScaleBox.Sandbox.md') -Raw
            $manifestData.CmdletsToExport | Where-Object { $about -notmatch "\b$([regex]::Escape($_))\b" } |
                Should -BeNullOrEmpty -Because 'about_ScaleBox.Sandbox covers every cmdlet'
            $documents = @('docs/en-US/about_ScaleBox.Sandbox.md', 'docs/en-US/about_SbxCode.md', 'docs/en-US/about_SbxWatchers.md', 'README.md') |
                ForEach-Object { Get-Content -LiteralPath (Join-Path $PSScriptRoot "../../$_") -Raw }
            $named = [regex]::Matches(($documents -join "`n"), '\b[A-Z][a-z]+-Sbx[A-Za-z]+\b') | ForEach-Object Value | Sort-Object -Unique
            $named | Where-Object { $_ -notin $manifestData.CmdletsToExport } | Should -BeNullOrEmpty -Because 'the docs name no cmdlet that is not there'
        }
    }

    Context '<Name>' -ForEach $cmdletCases {
        BeforeAll {
            $command = Get-Command -Name $Name -Module ScaleBox.Sandbox
            $help = Get-Help -Name $Name -Full -ErrorAction SilentlyContinue
            $ownParameters = $command.Parameters.Keys | Where-Object { $_ -notin $commonParameters }
        }

        It 'declares [OutputType] for what it writes' {
            if ($expectedOutput.ContainsKey($Name)) {
                $command.OutputType.Name | Should -Contain $expectedOutput[$Name]
            }
            else {
                $command.OutputType | Should -BeNullOrEmpty -Because "$Name writes nothing"
            }
        }

        It 'sends Get-Help -Online to its page in docs/en-US, the page its help is made from' {
            $command.HelpUri | Should -Be ($helpRoot + "$Name.md")
            $page = Join-Path $PSScriptRoot "../../docs/en-US/$Name.md"
            $page | Should -Exist
            (Get-Content -LiteralPath $page -TotalCount 5) | Should -Contain "online version: $($command.HelpUri)"
        }

        It 'supports -WhatIf and -Confirm when it changes something' {
            if ($Name -match '^(New|Move|Remove|Copy)-SbxItem$|^Remove-SbxSession$|^(Set|Add)-SbxContent$|^(Start|Stop)-SbxProcess$|^Set-SbxProcessTerminal$|^New-SbxCodeContext$|^(New|Remove)-SbxWatcher$|^Remove-SbxCodeContext$') {
                $command.Parameters.Keys | Should -Contain 'WhatIf'
                $command.Parameters.Keys | Should -Contain 'Confirm'
            }
            else {
                $command.Parameters.Keys | Should -Not -Contain 'WhatIf'
            }
        }

        It 'has help: a synopsis, a description, an example and a description of every parameter' {
            $problems = [System.Collections.Generic.List[string]]::new()
            $synopsis = "$($help.Synopsis)".Trim()
            # Without a help file PowerShell makes up a synopsis from the syntax.
            if (-not $synopsis -or $synopsis -match ('^' + [regex]::Escape($Name) + '(\s|$)')) {
                $problems.Add('no synopsis')
            }
            if (-not ($help.Description | Out-String).Trim()) {
                $problems.Add('no description')
            }
            $examples = @($help.Examples.Example | Where-Object { $_ -and ($_.Code | Out-String).Trim() })
            if ($examples.Count -lt 2) {
                $problems.Add("$($examples.Count) example(s), not at least two")
            }
            if (-not ($help.inputTypes | Out-String).Trim()) {
                $problems.Add('no inputs')
            }
            if (-not ($help.returnValues | Out-String).Trim()) {
                $problems.Add('no outputs')
            }
            if (@($help.relatedLinks.navigationLink | Where-Object { $_.linkText -or $_.uri }).Count -eq 0) {
                $problems.Add('no related links')
            }
            $described = @{}
            foreach ($parameter in @($help.Parameters.Parameter)) {
                if ($parameter -and $parameter.Name) {
                    $described[[string] $parameter.Name] = ($parameter.Description | Out-String).Trim()
                }
            }
            foreach ($parameterName in $ownParameters) {
                if (-not $described[$parameterName]) {
                    $problems.Add("no description of -$parameterName")
                }
            }
            $problems | Should -BeNullOrEmpty -Because "Get-Help $Name -Full should be complete"
        }
    }

    Context 'tab completion of remote paths' {
        BeforeAll {
            New-Item -ItemType Directory -Path (Join-Path $agent.Home 'demo-remote-a/inner') | Out-Null
            Set-Content -LiteralPath (Join-Path $agent.Home 'demo-remote-b.txt') -Value 'b'
            Set-Content -LiteralPath (Join-Path $agent.Home 'other.txt') -Value 'o'
            Set-Content -LiteralPath (Join-Path $agent.Home 'demo-remote-a/inner.txt') -Value 'i'
        }

        It 'completes names from the sandbox: Get-SbxItem dem<Tab>' {
            $result = TabExpansion2 -inputScript 'Get-SbxItem dem' -cursorColumn 15
            $result.CompletionMatches.CompletionText | Should -Be @('demo-remote-a', 'demo-remote-b.txt')
            ($result.CompletionMatches | Where-Object CompletionText -EQ 'demo-remote-a').ResultType | Should -Be 'ProviderContainer'
            ($result.CompletionMatches | Where-Object CompletionText -EQ 'demo-remote-b.txt').ResultType | Should -Be 'ProviderItem'
            $result.CompletionMatches[0].ToolTip | Should -Be (Join-Path $agent.Home 'demo-remote-a')
            $result.ReplacementIndex | Should -Be 12
            $result.ReplacementLength | Should -Be 3
        }

        It 'completes inside a remote directory' {
            $line = 'Get-SbxChildItem -Path demo-remote-a/'
            $result = TabExpansion2 -inputScript $line -cursorColumn $line.Length
            $result.CompletionMatches.CompletionText | Should -Be @('demo-remote-a/inner', 'demo-remote-a/inner.txt')
        }

        It 'completes the -Destination of Move-SbxItem' {
            $line = 'Move-SbxItem other.txt -Destination demo-remote-'
            $result = TabExpansion2 -inputScript $line -cursorColumn $line.Length
            $result.CompletionMatches.CompletionText | Should -Contain 'demo-remote-a'
        }

        It 'completes Copy-SbxItem from the sandbox on its sandbox side and locally on the other' {
            $local = New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) ('sbx-complete-' + [guid]::NewGuid().ToString('N')))
            New-Item -ItemType Directory -Path (Join-Path $local 'demo-local-dir') | Out-Null
            Push-Location -LiteralPath $local.FullName
            try {
                $complete = { param($Line) (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches.CompletionText }
                & $complete 'Copy-SbxItem -FromSandbox -Path demo-remote-' | Should -Be @('demo-remote-a', 'demo-remote-b.txt')
                & $complete 'Copy-SbxItem -FromSandbox -LiteralPath demo-remote-b' | Should -Be @('demo-remote-b.txt')
                & $complete 'Copy-SbxItem -FromSandbox -Path demo-remote-b.txt -Destination ./demo-lo' | Should -Be @('./demo-local-dir')
                & $complete 'Copy-SbxItem -ToSandbox -Path ./demo-lo' | Should -Be @('./demo-local-dir')
                & $complete 'Copy-SbxItem -ToSandbox -Path ./demo-local-dir -Destination demo-remote-' | Should -Be @('demo-remote-a', 'demo-remote-b.txt')
            }
            finally {
                Pop-Location
                Remove-Item -LiteralPath $local.FullName -Recurse -Force
            }
        }

        It 'completes the -WorkingDirectory of Start-SbxProcess from the sandbox' {
            $line = 'Start-SbxProcess -Command pwd -WorkingDirectory demo-remote-'
            (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('demo-remote-a', 'demo-remote-b.txt')
        }

        It 'completes -LiteralPath too' {
            $line = 'Remove-SbxItem -LiteralPath demo-remote-b'
            (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('demo-remote-b.txt')
        }

        It 'quotes a completed name that needs quotes' {
            New-Item -ItemType Directory -Path (Join-Path $agent.Home 'spaced name') | Out-Null
            $line = 'Get-SbxItem spac'
            $result = TabExpansion2 -inputScript $line -cursorColumn $line.Length
            $result.CompletionMatches.CompletionText | Should -Be @("'spaced name'")
            $result.CompletionMatches[0].ListItemText | Should -Be 'spaced name'
        }

        It 'uses the -Session being typed' {
            $other = Start-TestAgent
            try {
                New-Item -ItemType Directory -Path (Join-Path $other.Home 'demo-elsewhere') | Out-Null
                $otherSession = New-SbxSession -Domain $other.Domain -AccessToken $other.Token -Name other
                # The default is now $otherSession; -Session $session points back at the first agent.
                $line = 'Get-SbxItem -Session $session dem'
                $result = TabExpansion2 -inputScript $line -cursorColumn $line.Length
                $result.CompletionMatches.CompletionText | Should -Be @('demo-remote-a', 'demo-remote-b.txt')
                $line = 'Get-SbxItem dem'
                $result = TabExpansion2 -inputScript $line -cursorColumn $line.Length
                $result.CompletionMatches.CompletionText | Should -Be @('demo-elsewhere')
                # By name and by Id, as -Session takes it.
                foreach ($line in 'Get-SbxItem -Session main dem', "Get-SbxItem -Session $($session.Id) dem") {
                    (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText |
                        Should -Be @('demo-remote-a', 'demo-remote-b.txt') -Because $line
                }
                # Copy-SbxItem between sessions: each side from its own sandbox.
                $line = 'Copy-SbxItem -FromSession other -ToSession main -Path dem'
                (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('demo-elsewhere')
                $line = 'Copy-SbxItem -FromSession other -ToSession main -Path demo-elsewhere -Destination dem'
                (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('demo-remote-a', 'demo-remote-b.txt')
            }
            finally {
                Get-SbxSession -Name other -ErrorAction SilentlyContinue | Remove-SbxSession
                Stop-TestAgent $other
            }
        }

        It 'completes nothing from the sandbox, quickly and silently, when the agent cannot be reached' {
            $port = Get-ClosedLoopbackPort
            $nowhere = New-SbxSession -Domain "127.0.0.1:$port" -AccessToken 'x' -Name nowhere
            try {
                $Error.Clear()
                $watch = [System.Diagnostics.Stopwatch]::StartNew()
                $result = TabExpansion2 -inputScript 'Get-SbxItem demo-remote' -cursorColumn 23
                $watch.Stop()
                $result.CompletionMatches.CompletionText | Should -Not -Contain 'demo-remote-a'
                $watch.Elapsed.TotalSeconds | Should -BeLessThan 5
                $Error | Should -BeNullOrEmpty
            }
            finally {
                Remove-SbxSession -Session $nowhere
            }
        }
    }

    Context 'completion of processes and sessions' {
        BeforeAll {
            $tag = 'complete-' + [guid]::NewGuid().ToString('N').Substring(0, 6)
            $running = Start-SbxProcess -Command 'exec sleep 60' -Tag $tag -Background
        }

        AfterAll {
            if ($running) { Stop-SbxProcess -Pid $running.Pid -Force -ErrorAction SilentlyContinue }
        }

        It 'completes -Tag from the running processes, with their command lines' {
            foreach ($command in 'Get-SbxProcess', 'Stop-SbxProcess', 'Receive-SbxProcess', 'Wait-SbxProcess') {
                $line = "$command -Tag $($tag.Substring(0, 10))"
                $result = TabExpansion2 -inputScript $line -cursorColumn $line.Length
                $result.CompletionMatches.CompletionText | Should -Be @($tag) -Because "$command -Tag completes"
                $result.CompletionMatches[0].ToolTip | Should -BeLike "pid $($running.Pid) *sleep 60*"
            }
        }

        It 'completes -Pid from the running processes' {
            $line = 'Stop-SbxProcess -Pid '
            $result = TabExpansion2 -inputScript $line -cursorColumn $line.Length
            $result.CompletionMatches.CompletionText | Should -Contain "$($running.Pid)"
            ($result.CompletionMatches | Where-Object CompletionText -EQ "$($running.Pid)").ListItemText | Should -BeLike '*sleep 60*'
        }

        It 'completes session names' {
            $extra = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token -Name 'completion target'
            try {
                $line = 'Get-SbxSession -Name complet'
                $result = TabExpansion2 -inputScript $line -cursorColumn $line.Length
                $result.CompletionMatches.CompletionText | Should -Be @("'completion target'")
                $line = 'Remove-SbxSession -Name complet'
                (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @("'completion target'")
            }
            finally {
                Remove-SbxSession -Session $extra
            }
        }
    }
}

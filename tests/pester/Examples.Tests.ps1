# Runs every example of the README and the help pages that is marked runnable, each in a fresh
# runspace against one local agent, so the docs cannot drift away from what the cmdlets do.
# The marker, and what an example can count on, are described at the top of DocExamples.ps1;
# Docs.Tests.ps1 parses every example, marked or not.
BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'DocExamples.ps1')
    $examples = @(Get-DocExample)
    $runnableCases = @($examples | Where-Object Runnable | ForEach-Object {
            @{ Document = $_.Document; Number = $_.Number; Line = $_.Line; Code = $_.Code }
        })
    # Every cmdlet page shows at least one example that runs, but these (with the reason).
    $notRunnablePages = @{
        'Enter-SbxShell.md' = 'an interactive shell needs a terminal; Enter-SbxShell.Tests.ps1 drives it under tmux'
    }
    $pageCases = @(Get-ChildItem -LiteralPath (Join-Path $PSScriptRoot '../../docs/en-US') -Filter '*-Sbx*.md' | Sort-Object Name | ForEach-Object {
            $name = $_.Name
            @{ Document = $name; Count = @($examples | Where-Object { $_.Document -eq $name -and $_.Runnable }).Count; Exempt = $notRunnablePages[$name] }
        })
    $readmeCount = @($examples | Where-Object { $_.Document -eq 'README.md' -and $_.Runnable }).Count
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestAgent.ps1')
    . (Join-Path $PSScriptRoot 'DocExamples.ps1')
    $modulePath = Get-TestModulePath
    Import-Module $modulePath -Force
    # ForEach-Object -Parallel and thread jobs load the module by name, as an installed one is.
    $savedModulePath = $env:PSModulePath
    if (Test-Path -LiteralPath $modulePath -PathType Container) {
        # The built module folder (out/ScaleBox.Sandbox); an installed copy is on the path already.
        $env:PSModulePath = (Split-Path $modulePath) + [System.IO.Path]::PathSeparator + $env:PSModulePath
    }
    $canRun = Test-MountNamespace
    & /usr/bin/python3 -c 'import ipykernel, jupyter_client' 2>$null
    $hasKernels = $LASTEXITCODE -eq 0
    # Results the docs state for an example (in a comment or the text after it), by a line of its code.
    $statedResults = @{
        'statistics.mean([3, 1, 4, 1, 5])' = '2.8'    # README: "# 2.8"
        "Invoke-SbxCode 'statistics.mean(data)'" = '2.8'   # Invoke-SbxCode, example 1: "returns `2.8`"
        "Invoke-SbxCode `"'model' in globals()`" -Context `$eval" = 'False'   # New-SbxCodeContext, example 2: "Returns `False`"
        'Start-SbxProcess echo hello world' = 'hello world'
        'New-SbxSession -Domain http://10.0.0.15:49983' = 'InvalidDomain,ScaleBox.Sandbox.Commands.NewSbxSessionCommand'   # New-SbxSession, example 6
    }
    if (-not $hasKernels) { Write-Host 'No python3-ipykernel/python3-jupyter-client: the examples that run code are skipped.' }
    if ($canRun) {
        $agent = Start-ExampleAgent
        $null = New-SbxSession -Domain $agent.Domain -AccessToken $agent.Token -Name examples
        $local = Join-Path ([System.IO.Path]::GetTempPath()) ('sbx-examples-' + [guid]::NewGuid().ToString('N').Substring(0, 10))
        $null = New-Item -ItemType Directory -Path $local
    }
}

AfterAll {
    $env:PSModulePath = $savedModulePath
    Get-SbxSession | Remove-SbxSession
    if ($agent) { Stop-TestAgent $agent }
    if ($local) { Remove-Item -LiteralPath $local -Recurse -Force -ErrorAction SilentlyContinue }
}

Describe 'Runnable examples in the docs' {
    It 'README.md marks examples runnable (<Count>)' -ForEach @(@{ Count = $readmeCount }) {
        $Count | Should -BeGreaterOrEqual 3
    }

    It '<Document> has a runnable example (<Count>)' -ForEach @($pageCases | Where-Object { -not $_.Exempt }) {
        $Count | Should -BeGreaterThan 0
    }

    It '<Document> has none, since <Exempt>' -ForEach @($pageCases | Where-Object { $_.Exempt }) {
        $Count | Should -Be 0 -Because 'a page with a runnable example needs no exemption: drop it'
        # What its examples show is tested elsewhere, by name in the exemption.
        $testFile = [regex]::Match($Exempt, '[\w-]+\.Tests\.ps1').Value
        $testFile | Should -Not -BeNullOrEmpty -Because 'the exemption names the tests that cover the page'
        Join-Path $PSScriptRoot $testFile | Should -Exist
    }

    It '<Document> example <Number> (line <Line>) runs against the local agent' -ForEach $runnableCases {
        if (-not $canRun) { Set-ItResult -Skipped -Because 'no mount namespace here (printed above)'; return }
        if (-not $hasKernels -and $Code -match 'Invoke-SbxCode|New-SbxCodeContext') { Set-ItResult -Skipped -Because 'no Jupyter kernel here'; return }
        $missing = @(Get-ExampleProgram -Code $Code | Where-Object { -not (Get-Command $_ -CommandType Application -ErrorAction SilentlyContinue) })
        if ($missing) { Set-ItResult -Skipped -Because "no $($missing -join ', ') here, which the example runs"; return }
        Reset-ExampleWorld -Agent $agent -Local $local
        try {
            $result = Invoke-DocExample -Code $Code -Agent $agent -Local $local -ModulePath $modulePath -TimeoutSec 60
        }
        finally {
            # Whatever the example left running in the sandbox.
            Get-SbxProcess -ErrorAction SilentlyContinue | Stop-SbxProcess -Force -ErrorAction SilentlyContinue
        }
        $result.Errors | Should -BeNullOrEmpty -Because "the example runs as written:`n$Code"
        foreach ($line in $statedResults.Keys | Where-Object { $Code.Contains($_) }) {
            @($result.Output | ForEach-Object { "$_".Trim() }) | Should -Contain $statedResults[$line] -Because "the docs say what '$line' gives"
        }
    }

    It 'fails an example that writes an error, throws or hangs' {
        if (-not $canRun) { Set-ItResult -Skipped -Because 'no mount namespace here (printed above)'; return }
        $written = Invoke-DocExample -Code 'Get-SbxItem /home/user/missing -ErrorAction Continue' -Agent $agent -Local $local -ModulePath $modulePath
        $written.Errors | Should -HaveCount 1
        $written.Errors[0] | Should -BeLike 'NotFound,*'
        $thrown = Invoke-DocExample -Code 'Get-SbxItem /home/user/missing' -Agent $agent -Local $local -ModulePath $modulePath
        $thrown.Errors | Should -BeLike 'terminating: *missing*'
        $hung = Invoke-DocExample -Code 'Start-SbxProcess -Command "exec sleep 30"' -Agent $agent -Local $local -ModulePath $modulePath -TimeoutSec 2
        $hung.TimedOut | Should -BeTrue
        $hung.Errors | Should -Contain 'did not end within 2 s'
        Get-SbxProcess -ErrorAction SilentlyContinue | Stop-SbxProcess -Force -ErrorAction SilentlyContinue
    }

    It 'checks each stated result on a runnable example' {
        $runnableCode = @(Get-DocExample | Where-Object Runnable | ForEach-Object Code)
        foreach ($line in $statedResults.Keys) {
            @($runnableCode | Where-Object { $_.Contains($line) }).Count | Should -BeGreaterThan 0 -Because "'$line' is in a runnable example"
        }
    }

    It 'shows no marker in Get-Help' {
        foreach ($command in Get-Command -Module ScaleBox.Sandbox) {
            Get-Help -Name $command.Name -Full | Out-String -Width 200 | Should -Not -Match '<!--' -Because "Get-Help $($command.Name) -Full"
        }
        foreach ($topic in 'about_ScaleBox.Sandbox', 'about_SbxCode', 'about_SbxWatchers') {
            Get-Help -Name $topic | Out-String -Width 200 | Should -Not -Match '<!--' -Because "Get-Help $topic"
        }
    }
}

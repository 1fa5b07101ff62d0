#Requires -Version 7.2
<#
.SYNOPSIS
    The one entry point for building, testing and trying ScaleBox.Sandbox.

.DESCRIPTION
    Tasks:
      bootstrap  Pester from its NuGet package into .tools/Modules, and the isolation tests' other
                 versions of Google.Protobuf and Grpc.* into .tools/packages (both git-ignored).
      build      out/ScaleBox.Sandbox (importable module) and out/agent (the local sandbox agent).
      docs       MAML help from docs/en-US into out/ScaleBox.Sandbox/en-US (part of build).
      test       build, then xunit and Pester; prints "N passed, N failed" last; exits 1 on any failure.
      demo       starts the local agent, walks through examples/demo.ps1 against it, stops the agent.
      agent      runs the local agent in the foreground (Ctrl+C stops it). Extra arguments go to the agent.
      bench      runs the benchmarks in bench/ against the local agent.
      package    build, then out/ScaleBox.Sandbox.<version>.nupkg for the PowerShell Gallery.

.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 test
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('bootstrap', 'build', 'docs', 'test', 'demo', 'agent', 'bench', 'package')]
    [string] $Task = 'build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Pester: only run test files whose name matches (e.g. 'Get-SbxItem').
    [string] $Filter = '*',

    # test: each of the two runs (xunit, Pester) is stopped after this long, with the stacks of its
    # processes written out; a single xunit test, after a tenth of it.
    [int] $TestRunMinutes = 30,

    [Parameter(ValueFromRemainingArguments)]
    [string[]] $AgentArguments = @()
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Set-StrictMode -Version 3.0

$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
$ModuleOut = Join-Path $Out 'ScaleBox.Sandbox'
$AgentOut = Join-Path $Out 'agent'
$ToolModules = Join-Path $Root '.tools/Modules'
$PesterVersion = '5.7.1'
$ModuleFrameworks = 'net8.0', 'netstandard2.0'

. (Join-Path $Root 'tests/pester/TestAgent.ps1')
. (Join-Path $Root 'tests/TestRunWatchdog.ps1')

function Invoke-Native {
    # Runs a native command and stops the build when it fails.
    param([Parameter(Mandatory)][string] $FilePath, [string[]] $ArgumentList = @())
    & $FilePath @ArgumentList
    if ($LASTEXITCODE -ne 0) {
        throw "'$FilePath $($ArgumentList -join ' ')' failed with exit code $LASTEXITCODE."
    }
}

function Invoke-Bootstrap {
    Get-OtherDependencyVersions
    $target = Join-Path $ToolModules "Pester/$PesterVersion"
    if (Test-Path (Join-Path $target 'Pester.psd1')) {
        return
    }
    $download = Join-Path ([System.IO.Path]::GetTempPath()) ("sbx-pester-" + [guid]::NewGuid().ToString('N'))
    try {
        Write-Host "Fetching Pester $PesterVersion from NuGet"
        Invoke-Native dotnet @('package', 'download', "Pester@$PesterVersion", '-o', $download)
        $tools = Join-Path $download "pester/$PesterVersion/tools"
        New-Item -ItemType Directory -Path $target -Force | Out-Null
        Copy-Item -Path (Join-Path $tools '*') -Destination $target -Recurse -Force
    }
    finally {
        Remove-Item -LiteralPath $download -Recurse -Force -ErrorAction SilentlyContinue
    }
}

function Get-OtherDependencyVersions {
    # Other versions of Google.Protobuf and Grpc.* for the isolation tests (tests/pester/Isolation).
    $packages = Join-Path $Root '.tools/packages'
    $versions = Import-PowerShellDataFile -LiteralPath (Join-Path $Root 'tests/pester/Isolation/OtherVersions.psd1')
    foreach ($package in $versions.Packages) {
        $assembly = Join-Path $packages "$($package.Id.ToLowerInvariant())/$($package.Version)/$($package.Assembly)"
        if (-not (Test-Path -LiteralPath $assembly)) {
            Write-Host "Fetching $($package.Id) $($package.Version) from NuGet"
            Invoke-Native dotnet @('package', 'download', "$($package.Id)@$($package.Version)", '-o', $packages)
        }
    }
}

function Invoke-Build {
    Invoke-Native dotnet @('build', (Join-Path $Root 'ScaleBox.Sandbox.slnx'), '-c', $Configuration, '--nologo', '-v', 'minimal')

    # The module: manifest, loader, formats, and one folder per target framework.
    Remove-Item -LiteralPath $ModuleOut -Recurse -Force -ErrorAction SilentlyContinue
    New-Item -ItemType Directory -Path $ModuleOut | Out-Null
    Copy-Item -LiteralPath (Join-Path $Root 'ScaleBox.Sandbox.psd1') -Destination $ModuleOut
    Copy-Item -Path (Join-Path $Root 'src/ScaleBox.Sandbox/ScaleBox.Sandbox.psm1'), (Join-Path $Root 'src/ScaleBox.Sandbox/ScaleBox.Sandbox.Format.ps1xml'), (Join-Path $Root 'src/ScaleBox.Sandbox/ScaleBox.Sandbox.Types.ps1xml') -Destination $ModuleOut
    Copy-Item -LiteralPath (Join-Path $Root 'LICENSE') -Destination $ModuleOut
    foreach ($framework in $ModuleFrameworks) {
        Publish-ModuleFramework -Framework $framework
    }
    Invoke-Docs

    # The agent: framework-dependent, run with `dotnet out/agent/ScaleBox.Sandbox.Agent.dll`.
    Invoke-Native dotnet @('publish', (Join-Path $Root 'src/ScaleBox.Sandbox.Agent'), '-c', $Configuration, '--no-build', '--nologo', '-v', 'quiet', '-o', $AgentOut)
}

function Publish-ModuleFramework {
    # bin/<framework>/ holds the cmdlet assembly alone; everything it depends on goes to
    # bin/<framework>/dependencies/, which the module loads in its own context (see src/ScaleBox.Sandbox/Loading).
    param([Parameter(Mandatory)][string] $Framework)
    $staging = Join-Path $Out "publish/$Framework"
    Remove-Item -LiteralPath $staging -Recurse -Force -ErrorAction SilentlyContinue
    Invoke-Native dotnet @('publish', (Join-Path $Root 'src/ScaleBox.Sandbox'), '-c', $Configuration, '-f', $Framework, '--no-build', '--nologo', '-v', 'quiet', '-o', $staging)
    $bin = Join-Path $ModuleOut "bin/$Framework"
    $dependencies = Join-Path $bin 'dependencies'
    New-Item -ItemType Directory -Path $dependencies -Force | Out-Null
    Copy-Item -LiteralPath (Join-Path $staging 'ScaleBox.Sandbox.dll') -Destination $bin
    Get-ChildItem -LiteralPath $staging -Filter '*.dll' | Where-Object Name -NE 'ScaleBox.Sandbox.dll' |
        Copy-Item -Destination $dependencies
    Remove-Item -LiteralPath $staging -Recurse -Force
}

function Invoke-Docs {
    $helpOut = Join-Path $ModuleOut 'en-US'
    $docs = Join-Path $Root 'docs/en-US'
    if (Get-Module -ListAvailable -Name platyPS) {
        Import-Module platyPS
        # platyPS shows HTML comment lines (such as the <!-- runnable --> marks of tested examples) as text.
        $pages = Join-Path ([System.IO.Path]::GetTempPath()) ('sbx-docs-' + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $pages | Out-Null
        try {
            foreach ($page in Get-ChildItem -LiteralPath $docs -Filter *.md) {
                Get-Content -LiteralPath $page.FullName | Where-Object { $_ -notmatch '^\s*<!--.*-->\s*$' } |
                    Set-Content -LiteralPath (Join-Path $pages $page.Name)
            }
            New-ExternalHelp -Path $pages -OutputPath $helpOut -Force | Out-Null
        }
        finally {
            Remove-Item -LiteralPath $pages -Recurse -Force -ErrorAction SilentlyContinue
        }
    }
    else {
        & (Join-Path $Root 'docs/ConvertTo-MamlHelp.ps1') -Path $docs -OutputPath $helpOut -ModuleName 'ScaleBox.Sandbox' -AssemblyFileName 'ScaleBox.Sandbox.dll'
    }
    # Help for a binary cmdlet is looked up beside the assembly that defines it.
    foreach ($framework in $ModuleFrameworks) {
        $beside = Join-Path $ModuleOut "bin/$framework/en-US"
        New-Item -ItemType Directory -Path $beside -Force | Out-Null
        Copy-Item -Path (Join-Path $helpOut '*.xml') -Destination $beside -Force
    }
}

function Read-TrxSummary {
    param([string] $Path)
    [xml] $trx = Get-Content -LiteralPath $Path -Raw
    $counters = $trx.TestRun.ResultSummary.Counters
    $failures = @(foreach ($result in $trx.TestRun.Results.UnitTestResult) {
            if ($result.outcome -eq 'Passed' -or $result.outcome -eq 'NotExecuted') { continue }
            $message = "$($result.Output.ErrorInfo.Message)" -split "`n" | Select-Object -First 6
            "xunit: $($result.testName)`n    " + ($message -join "`n    ")
        })
    # A run stopped as a whole (a test host that crashed, or that the hang limit ended) has no
    # results at all: what stopped it, and the tests that had begun and not finished.
    $runErrors = @($trx.TestRun.ResultSummary.RunInfos.RunInfo | Where-Object { $_ -and $_.outcome -eq 'Error' })
    foreach ($runError in $runErrors) {
        $failures += "xunit: $($runError.Text)"
    }
    if ($runErrors) {
        # The blame collector's sequence files (one is also copied beside the results) list every test begun.
        $sequences = Get-ChildItem -LiteralPath (Split-Path $Path) -Recurse -Filter 'Sequence_*.xml' -ErrorAction SilentlyContinue
        $failures += @($sequences | ForEach-Object { ([xml](Get-Content -LiteralPath $_.FullName -Raw)).TestSequence.Test } |
                Where-Object { $_ -and $_.Completed -ne 'True' } | ForEach-Object Name | Sort-Object -Unique |
                ForEach-Object { "xunit: had not finished when the run stopped: $_" })
    }
    [pscustomobject]@{
        Passed   = [int] $counters.passed
        Failed   = [int] $counters.failed + [int] $counters.error + [int] $counters.timeout + [int] $counters.aborted + $runErrors.Count
        Skipped  = [int] $counters.notExecuted
        # Each failed test with the first lines of its message, restated before the summary:
        # a long log is often read from its end only.
        Failures = $failures
    }
}

function Start-TestProcess {
    <# Starts a test run's process, its output going straight to this console. #>
    param([Parameter(Mandatory)][string] $FilePath, [Parameter(Mandatory)][string[]] $ArgumentList)
    $start = [System.Diagnostics.ProcessStartInfo]::new($FilePath)
    foreach ($argument in $ArgumentList) { $start.ArgumentList.Add($argument) }
    $start.UseShellExecute = $false
    [System.Diagnostics.Process]::Start($start)
}

function Invoke-Test {
    Invoke-Bootstrap
    Invoke-Build

    $results = Join-Path $Out 'test-results'
    Remove-Item -LiteralPath $results -Recurse -Force -ErrorAction SilentlyContinue
    $passed = 0; $failed = 0; $skipped = 0

    Write-Host "`n== xunit: client library and local agent" -ForegroundColor Cyan
    # A test that stops making progress ends the test host after a tenth of the run's bound, naming it.
    $testLimit = [Math]::Max(1, [int]($TestRunMinutes * 60 / 10))
    $xunit = Start-TestProcess 'dotnet' @('test', (Join-Path $Root 'tests/ScaleBox.Sandbox.Tests'), '-c', $Configuration, '--no-build', '--nologo',
        '--logger', 'trx;LogFileName=xunit.trx', '--logger', 'console;verbosity=normal', '--results-directory', $results,
        '--blame-hang-timeout', "${testLimit}s", '--blame-hang-dump-type', 'none')
    $xunitEnded = Wait-TestRun -Process $xunit -Timeout ([TimeSpan]::FromMinutes($TestRunMinutes)) -Name 'xunit'
    $xunitExit = if ($xunitEnded) { $xunit.ExitCode } else { 1 }
    $trx = Join-Path $results 'xunit.trx'
    $failures = @()
    if (-not $xunitEnded) {
        $failed += 1
        $failures += "xunit: the run did not end within $TestRunMinutes minutes (its stacks are above)"
    }
    elseif (Test-Path $trx) {
        $counts = Read-TrxSummary $trx
        $passed += $counts.Passed; $failed += $counts.Failed; $skipped += $counts.Skipped
        $failures += $counts.Failures
    }
    elseif ($xunitExit -ne 0) {
        $failed += 1 # the run itself broke before writing results
    }

    Write-Host "`n== Pester: the cmdlets against the local agent" -ForegroundColor Cyan
    $pester = Invoke-PesterInChild
    $passed += $pester.Passed; $failed += $pester.Failed; $skipped += $pester.Skipped
    $failures += @($pester.Failures)

    if ($failures.Count -gt 0) {
        Write-Host "`n== Failed" -ForegroundColor Red
        $failures | ForEach-Object { Write-Host $_ }
    }
    $summary = "$passed passed, $failed failed"
    if ($skipped -gt 0) { $summary += ", $skipped skipped" }
    Write-Host ''
    Write-Host $summary
    if ($failed -gt 0 -or $xunitExit -ne 0 -or $pester.ExitCode -ne 0) {
        exit 1
    }
}

function Invoke-PesterInChild {
    # A child pwsh, so the tests import the freshly built module into a clean process.
    $resultFile = Join-Path $Out 'test-results/pester.json'
    $script = @"
`$ErrorActionPreference = 'Stop'
`$env:PSModulePath = '$ToolModules' + [IO.Path]::PathSeparator + `$env:PSModulePath
Import-Module Pester -RequiredVersion $PesterVersion
`$config = New-PesterConfiguration
`$config.Run.Path = @(Get-ChildItem -Path '$(Join-Path $Root 'tests/pester')' -Filter '$Filter.Tests.ps1' | ForEach-Object FullName)
`$config.Run.PassThru = `$true
`$config.Output.Verbosity = 'Detailed'

`$result = Invoke-Pester -Configuration `$config
`$failures = @(`$result.Failed | ForEach-Object { "Pester: `$(`$_.ExpandedPath)``n    `$((`$_.ErrorRecord | Select-Object -First 1).ToString() -replace '\n', '``n    ')" }) +
    @(`$result.FailedBlocks | ForEach-Object { "Pester: `$(`$_.Path -join ' ') (block)" }) +
    @(`$result.FailedContainers | ForEach-Object { "Pester: `$(`$_.Item) (file)" })
[pscustomobject]@{ Passed = `$result.PassedCount; Failed = `$result.FailedCount + `$result.FailedBlocksCount + `$result.FailedContainersCount; Skipped = `$result.SkippedCount; Failures = `$failures } |
    ConvertTo-Json | Set-Content -LiteralPath '$resultFile'
"@
    $pwsh = Get-PwshCommand
    $child = Start-TestProcess $pwsh[0] (@($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-Command', $script))
    if (-not (Wait-TestRun -Process $child -Timeout ([TimeSpan]::FromMinutes($TestRunMinutes)) -Name 'Pester')) {
        return [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0; ExitCode = 1
            Failures = @("Pester: the run did not end within $TestRunMinutes minutes (its stacks are above; the last file it named is where it stopped)") }
    }
    $exit = $child.ExitCode
    if (Test-Path $resultFile) {
        $counts = Get-Content -LiteralPath $resultFile -Raw | ConvertFrom-Json
        return [pscustomobject]@{ Passed = $counts.Passed; Failed = $counts.Failed; Skipped = $counts.Skipped; Failures = @($counts.Failures); ExitCode = $exit }
    }
    [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0; Failures = @('Pester: the run ended before writing its results'); ExitCode = if ($exit -ne 0) { $exit } else { 1 } }
}

function Invoke-Demo {
    Invoke-Build
    $agent = Start-TestAgent -AgentPath (Join-Path $AgentOut 'ScaleBox.Sandbox.Agent.dll')
    try {
        $pwsh = Get-PwshCommand
        $env:SBX_DEMO_DOMAIN = $agent.Domain
        $env:SBX_DEMO_TOKEN = $agent.Token
        & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File (Join-Path $Root 'examples/demo.ps1') -ModulePath $ModuleOut
        if ($LASTEXITCODE -ne 0) { throw "The demo failed (exit code $LASTEXITCODE)." }
    }
    finally {
        Remove-Item Env:SBX_DEMO_DOMAIN, Env:SBX_DEMO_TOKEN -ErrorAction SilentlyContinue
        Stop-TestAgent $agent
    }
}

function Invoke-Agent {
    Invoke-Build
    Write-Host 'The local agent is not a sandbox: it acts with your rights on this machine. Ctrl+C stops it.' -ForegroundColor Yellow
    & dotnet (Join-Path $AgentOut 'ScaleBox.Sandbox.Agent.dll') @AgentArguments
}

function Invoke-Bench {
    Invoke-Build
    foreach ($bench in Get-ChildItem -Path (Join-Path $Root 'bench') -Filter '*.ps1' -Exclude 'BenchCommon.ps1') {
        Write-Host "`n== $($bench.Name)" -ForegroundColor Cyan
        $pwsh = Get-PwshCommand
        & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File $bench.FullName
    }
}

function Invoke-Package {
    Invoke-Build
    $repository = Join-Path $Out 'gallery'
    New-Item -ItemType Directory -Path $repository -Force | Out-Null
    Register-PSResourceRepository -Name SbxLocal -Uri $repository -Trusted -ErrorAction SilentlyContinue
    try {
        Publish-PSResource -Path $ModuleOut -Repository SbxLocal -SkipDependenciesCheck
        Get-ChildItem -Path $repository -Filter '*.nupkg' | ForEach-Object { Write-Host "Package: $($_.FullName)" }
    }
    finally {
        Unregister-PSResourceRepository -Name SbxLocal -ErrorAction SilentlyContinue
    }
}

switch ($Task) {
    'bootstrap' { Invoke-Bootstrap }
    'build' { Invoke-Build }
    'docs' { Invoke-Docs }
    'test' { Invoke-Test }
    'demo' { Invoke-Demo }
    'agent' { Invoke-Agent }
    'bench' { Invoke-Bench }
    'package' { Invoke-Package }
}

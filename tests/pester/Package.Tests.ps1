# The package as users get it: published to a PSResourceGet repository, installed with
# Install-PSResource into a fresh user scope, and used from a clean pwsh where nothing of the build
# is on PSModulePath. The same installed copy then runs the suite's smoke set.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestAgent.ps1')
    $agent = Start-TestAgent
    $work = Join-Path ([System.IO.Path]::GetTempPath()) ('sbx-package-' + [guid]::NewGuid().ToString('N').Substring(0, 12))
    $freshHome = Join-Path $work 'home'
    $repository = Join-Path $work 'gallery'
    New-Item -ItemType Directory -Path $freshHome, $repository | Out-Null

    # A user of its own: HOME (and the XDG folders under it) decides the CurrentUser scope, the
    # PSResourceGet repository list and the module auto-loading path. No PSModulePath is inherited:
    # pwsh makes its default one (that user's folder, the shared one and its own).
    $freshUser = @{
        HOME            = $freshHome
        XDG_DATA_HOME   = Join-Path $freshHome '.local/share'
        XDG_CONFIG_HOME = Join-Path $freshHome '.config'
        XDG_CACHE_HOME  = Join-Path $freshHome '.cache'
        PSModulePath    = $null
        DOTNET_CLI_HOME = [Environment]::GetFolderPath('UserProfile')
    }
    # .NET names a special folder only when it exists (else it returns '' and PSResourceGet would
    # write beside the working directory).
    foreach ($folder in 'XDG_DATA_HOME', 'XDG_CONFIG_HOME', 'XDG_CACHE_HOME') {
        New-Item -ItemType Directory -Path $freshUser[$folder] -Force | Out-Null
    }
    $arguments = @{
        ModuleOut  = Get-TestModulePath
        Repository = $repository
        Domain     = $agent.Domain
        Token      = $agent.Token
        AgentHome  = $agent.Home
        Work       = $work
    }

    $installed = Invoke-FreshPwsh -Environment $freshUser -Arguments $arguments -Script @'
Register-PSResourceRepository -Name SbxTestGallery -Uri $Repository -Trusted
Publish-PSResource -Path $ModuleOut -Repository SbxTestGallery
Install-PSResource -Name ScaleBox.Sandbox -Repository SbxTestGallery -Scope CurrentUser -TrustRepository
$resource = Get-InstalledPSResource -Name ScaleBox.Sandbox
[pscustomobject]@{
    Package  = @(Get-ChildItem -LiteralPath $Repository -Filter *.nupkg | ForEach-Object Name)
    Location = $resource.InstalledLocation
    Version  = $resource.Version.ToString()
}
'@
    $installedModule = Join-Path $installed.Location "ScaleBox.Sandbox/$($installed.Version)"
}

AfterAll {
    if ($agent) { Stop-TestAgent $agent }
    if ($work) { Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue }
}

Describe 'The published and installed package' {
    It 'is one .nupkg in the repository, installed under the fresh user scope' {
        $manifest = Import-PowerShellDataFile -LiteralPath (Join-Path (Get-TestModulePath) 'ScaleBox.Sandbox.psd1')
        $installed.Package | Should -Be @("ScaleBox.Sandbox.$($manifest.ModuleVersion).nupkg")
        $installed.Version | Should -Be $manifest.ModuleVersion
        $installed.Location | Should -BeLike "$freshHome*"
        Join-Path $installedModule 'ScaleBox.Sandbox.psd1' | Should -Exist
    }

    It 'holds only the cmdlet assembly beside the loader and the rest under dependencies/, per framework' {
        foreach ($framework in 'net8.0', 'netstandard2.0') {
            $bin = Join-Path $installedModule "bin/$framework"
            @(Get-ChildItem -LiteralPath $bin -Filter *.dll | ForEach-Object Name) | Should -Be @('ScaleBox.Sandbox.dll')
            Join-Path $bin 'dependencies/ScaleBox.Sandbox.Client.dll' | Should -Exist
            Join-Path $bin 'dependencies/Google.Protobuf.dll' | Should -Exist
            Join-Path $bin 'en-US/ScaleBox.Sandbox.dll-Help.xml' | Should -Exist
        }
    }

    It 'loads on first use of a cmdlet (auto-loading) and runs a session, a listing, a copy and a process' {
        $result = Invoke-FreshPwsh -Environment $freshUser -Arguments $arguments -Script @'
$before = @(Get-Module ScaleBox.Sandbox).Count
$null = New-SbxSession -Domain $Domain -AccessToken $Token
$module = Get-Module ScaleBox.Sandbox
$local = Join-Path $Work 'upload.txt'
Set-Content -LiteralPath $local -Value 'installed copy'
Copy-SbxItem -Path $local -Destination "$AgentHome/from-package.txt" -ToSandbox
Copy-SbxItem -Path "$AgentHome/from-package.txt" -Destination (Join-Path $Work 'back.txt') -FromSandbox
[pscustomobject]@{
    LoadedBefore = $before
    ModuleBase   = $module.ModuleBase
    Listing      = @(Get-SbxChildItem -Path $AgentHome -Filter 'from-package*' | ForEach-Object Name)
    Back         = Get-Content -LiteralPath (Join-Path $Work 'back.txt') -Raw
    Output       = @(Start-SbxProcess -Command "cat $AgentHome/from-package.txt")
}
'@
        $result.LoadedBefore | Should -Be 0
        $result.ModuleBase | Should -Be $installedModule
        $result.Listing | Should -Be @('from-package.txt')
        $result.Back.Trim() | Should -Be 'installed copy'
        $result.Output | Should -Be @('installed copy')
    }

    It 'imports by name with its help, formats and every cmdlet' {
        $result = Invoke-FreshPwsh -Environment $freshUser -Script @'
Import-Module ScaleBox.Sandbox
$module = Get-Module ScaleBox.Sandbox
[pscustomobject]@{
    Cmdlets  = $module.ExportedCmdlets.Count
    Declared = (Import-PowerShellDataFile -LiteralPath $module.Path.Replace('.psm1', '.psd1')).CmdletsToExport.Count
    Synopsis = (Get-Help Get-SbxItem).Synopsis
    Examples = @((Get-Help Invoke-SbxCode -Examples).examples.example).Count
}
'@
        $result.Cmdlets | Should -Be $result.Declared
        $result.Synopsis | Should -Not -BeNullOrEmpty
        $result.Synopsis | Should -Not -Match 'Get-SbxItem \[' -Because 'help comes from the shipped MAML, not from the syntax'
        $result.Examples | Should -BeGreaterOrEqual 2
    }

    It 'passes the smoke set of the suite when the suite imports the installed copy' {
        $pester = Join-Path (Get-Module Pester).ModuleBase 'Pester.psd1'
        $result = Invoke-FreshPwsh -TimeoutSec 600 -Environment ($freshUser + @{ SBX_MODULE_UNDER_TEST = (Join-Path $installedModule "ScaleBox.Sandbox.psd1") }) -Arguments @{
            Pester = $pester; Tests = $PSScriptRoot
        } -Script @'
Import-Module $Pester
$config = New-PesterConfiguration
$config.Run.Path = $Tests
$config.Run.PassThru = $true
$config.Filter.Tag = 'Smoke'
$config.Output.Verbosity = 'None'
$run = Invoke-Pester -Configuration $config
[pscustomobject]@{
    Passed = $run.PassedCount
    Failed = $run.FailedCount + $run.FailedBlocksCount + $run.FailedContainersCount
    Failures = @($run.Failed | ForEach-Object { "$($_.ExpandedPath): $($_.ErrorRecord.Exception.Message)" })
}
'@
        $result.Failures | Should -BeNullOrEmpty
        $result.Failed | Should -Be 0
        $result.Passed | Should -BeGreaterThan 20
    }
}

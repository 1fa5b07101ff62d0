# The module loads its dependencies in its own load context: another module's versions of
# Google.Protobuf and Grpc.Net.Client, loaded before or after it, neither stop it nor are broken by
# it. Each case runs in a fresh pwsh, so nothing of one case (or of the test run) is loaded in another.
BeforeDiscovery {
    $packageRoot = Join-Path $PSScriptRoot '../../.tools/packages'
    $versions = Import-PowerShellDataFile -LiteralPath (Join-Path $PSScriptRoot 'Isolation/OtherVersions.psd1')
    $missing = @($versions.Packages | Where-Object {
            -not (Test-Path -LiteralPath (Join-Path $packageRoot "$($_.Id.ToLowerInvariant())/$($_.Version)/$($_.Assembly)"))
        } | ForEach-Object { "$($_.Id) $($_.Version)" })
    if ($missing) {
        Write-Host "Skipping the tests with other dependency versions: $($missing -join ', ') not fetched (run 'dotnet pwsh ./build.ps1 bootstrap')." -ForegroundColor Yellow
    }
    $haveOtherVersions = -not $missing
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestAgent.ps1')
    $agent = Start-TestAgent
    $common = @{
        ModulePath  = Get-TestModulePath
        PackageRoot = (Join-Path $PSScriptRoot '../../.tools/packages')
        UseOther    = (Join-Path $PSScriptRoot 'Isolation/Use-OtherGrpc.ps1')
        Domain      = $agent.Domain
        Grpc        = "http://$($agent.Http2Domain)"
        Token       = $agent.Token
        AgentHome   = $agent.Home
    }
    New-Item -ItemType Directory -Path (Join-Path $agent.Home 'isolation') | Out-Null
    Set-Content -LiteralPath (Join-Path $agent.Home 'isolation/probe.txt') -Value 'probe'

    # What the module does in each case: a session, a listing, a process and a code-free round trip.
    $useModule = @'
$session = New-SbxSession -Domain $Domain -AccessToken $Token
[pscustomobject]@{
    Listing = @(Get-SbxChildItem -Path "$AgentHome/isolation" | ForEach-Object Name)
    Output  = @(Start-SbxProcess -Command 'echo from-the-sandbox')
}
'@
    # Where each load context got its Google.Protobuf and Grpc.Net.Client.
    $loadContexts = @'
foreach ($context in [System.Runtime.Loader.AssemblyLoadContext]::All) {
    foreach ($assembly in $context.Assemblies) {
        if ($assembly.GetName().Name -in 'Google.Protobuf', 'Grpc.Net.Client', 'ScaleBox.Sandbox.Client', 'ScaleBox.Sandbox') {
            [pscustomobject]@{ Context = $context.Name; Assembly = $assembly.GetName().Name; Version = $assembly.GetName().Version.ToString() }
        }
    }
}
'@
}

AfterAll {
    if ($agent) { Stop-TestAgent $agent }
}

Describe 'The module beside other versions of its dependencies' -Skip:(-not $haveOtherVersions) {
    It 'imports and works when another Google.Protobuf and Grpc.Net.Client were loaded first, and they keep working' {
        $result = Invoke-FreshPwsh -Arguments $common -Script @"
. `$UseOther -PackageRoot `$PackageRoot
`$before = [OtherGrpcProbe]::StatName(`$Grpc, `$Token, "`$AgentHome/isolation/probe.txt")
Import-Module `$ModulePath
`$module = & { $useModule }
[pscustomobject]@{
    Before = `$before
    After = [OtherGrpcProbe]::StatName(`$Grpc, `$Token, "`$AgentHome/isolation/probe.txt")
    OtherProtobuf = [OtherGrpcProbe]::ProtobufVersion
    OtherGrpc = [OtherGrpcProbe]::GrpcVersion
    Module = `$module
    Contexts = @(& { $loadContexts })
}
"@
        $result.Before | Should -Be 'probe.txt'
        $result.After | Should -Be 'probe.txt'
        $result.OtherProtobuf | Should -BeLike '3.21.*'
        $result.OtherGrpc | Should -BeLike '2.0.*' -Because 'Grpc.Net.Client 2.65 has the assembly version 2.0.0.0'
        $result.Module.Listing | Should -Be @('probe.txt')
        $result.Module.Output | Should -Be @('from-the-sandbox')
        # The module's copies live in its own context; the default context keeps the other ones.
        $ours = $result.Contexts | Where-Object Context -EQ 'ScaleBox.Sandbox'
        ($ours | Where-Object Assembly -EQ 'Google.Protobuf').Version | Should -BeLike '3.36.*'
        ($ours | Where-Object Assembly -EQ 'ScaleBox.Sandbox.Client') | Should -Not -BeNullOrEmpty
        $default = $result.Contexts | Where-Object Context -EQ 'Default'
        ($default | Where-Object Assembly -EQ 'Google.Protobuf').Version | Should -BeLike '3.21.*'
        ($default | Where-Object Assembly -EQ 'ScaleBox.Sandbox').Assembly | Should -Be 'ScaleBox.Sandbox' -Because 'only the cmdlet assembly is in the default context'
        ($default | Where-Object Assembly -EQ 'ScaleBox.Sandbox.Client') | Should -BeNullOrEmpty
    }

    It 'works first, and other versions loaded after it work too, while it keeps working' {
        $result = Invoke-FreshPwsh -Arguments $common -Script @"
Import-Module `$ModulePath
`$first = & { $useModule }
. `$UseOther -PackageRoot `$PackageRoot
[pscustomobject]@{
    First = `$first
    Other = [OtherGrpcProbe]::StatName(`$Grpc, `$Token, "`$AgentHome/isolation/probe.txt")
    OtherProtobuf = [OtherGrpcProbe]::ProtobufVersion
    Again = & { $useModule }
}
"@
        $result.First.Listing | Should -Be @('probe.txt')
        $result.Other | Should -Be 'probe.txt'
        $result.OtherProtobuf | Should -BeLike '3.21.*'
        $result.Again.Listing | Should -Be @('probe.txt')
        $result.Again.Output | Should -Be @('from-the-sandbox')
    }
}

Describe 'The module in several runspaces of one process' {
    It 'keeps one session per runspace working side by side (ForEach-Object -Parallel and thread jobs)' {
        $result = Invoke-FreshPwsh -Arguments $common -Script @'
$parallel = 1..4 | ForEach-Object -ThrottleLimit 4 -Parallel {
    Import-Module $using:ModulePath
    $null = New-SbxSession -Domain $using:Domain -AccessToken $using:Token -Name "runspace-$_"
    [pscustomobject]@{
        Index    = $_
        Sessions = @(Get-SbxSession | ForEach-Object Name)
        Item     = (Get-SbxItem -Path "$using:AgentHome/isolation/probe.txt").Name
        Output   = @(Start-SbxProcess -Command "echo runspace-$_")
    }
}
$job = Start-ThreadJob -ScriptBlock {
    param($ModulePath, $Domain, $Token)
    Import-Module $ModulePath
    $null = New-SbxSession -Domain $Domain -AccessToken $Token
    @(Start-SbxProcess -Command 'echo thread-job')
} -ArgumentList $ModulePath, $Domain, $Token
[pscustomobject]@{
    Parallel = @($parallel | Sort-Object Index)
    ThreadJob = @($job | Receive-Job -Wait -AutoRemoveJob)
    TypeByName = ([ScaleBox.Sandbox.Client.Files.SandboxItem]).FullName
}
'@
        # Four runspaces import the module at once: the type names they all register go in once.
        $result.Parallel.Count | Should -Be 4
        foreach ($runspace in $result.Parallel) {
            $runspace.Sessions | Should -Be @("runspace-$($runspace.Index)") -Because 'each runspace has its own sessions'
            $runspace.Item | Should -Be 'probe.txt'
            $runspace.Output | Should -Be @("runspace-$($runspace.Index)")
        }
        $result.ThreadJob | Should -Be @('thread-job')
        $result.TypeByName | Should -Be 'ScaleBox.Sandbox.Client.Files.SandboxItem' -Because 'the client library''s types stay reachable by name in scripts'
    }
}

Describe 'The boundary between the cmdlets and the dependencies' {
    It 'the <Framework> cmdlet assembly references the client library and no dependency of it' -ForEach @(
        @{ Framework = 'net8.0' }, @{ Framework = 'netstandard2.0' }
    ) {
        $cmdlets = Get-AssemblyIdentity (Join-Path (Get-TestModulePath) "bin/$Framework/ScaleBox.Sandbox.dll")
        $names = @($cmdlets.References | ForEach-Object Name)
        $names | Should -Contain 'ScaleBox.Sandbox.Client'
        $names | Where-Object { $_ -like 'Grpc.*' -or $_ -like 'Google.*' -or $_ -eq 'ScaleBox.Sandbox.Protocol' -or $_ -like 'Microsoft.Extensions.*' } |
            Should -BeNullOrEmpty -Because 'a dependency type used by the cmdlets would cross from the module''s load context into the default one'
    }
}

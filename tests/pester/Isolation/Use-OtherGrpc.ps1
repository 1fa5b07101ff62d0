# Loads other versions of Google.Protobuf and Grpc.Net.Client (and what they need) into PowerShell's
# default load context, as another cloud module would, and compiles OtherGrpcProbe against them.
param([Parameter(Mandatory)][string] $PackageRoot)
$versions = Import-PowerShellDataFile -LiteralPath (Join-Path $PSScriptRoot 'OtherVersions.psd1')
$assemblies = foreach ($package in $versions.Packages) {
    Join-Path $PackageRoot "$($package.Id.ToLowerInvariant())/$($package.Version)/$($package.Assembly)"
}
foreach ($assembly in $assemblies) {
    $null = [System.Reflection.Assembly]::LoadFrom($assembly)
}
# -IgnoreWarnings: the older packages were built against older framework versions (CS1701).
Add-Type -IgnoreWarnings -Path (Join-Path $PSScriptRoot 'OtherGrpcProbe.cs') -ReferencedAssemblies ($assemblies + 'netstandard', 'System.Net.Http', 'System.Runtime', 'System.Memory')

# Loads the build of the module assembly that fits the running PowerShell: net8.0 on PowerShell 7
# (gRPC over HTTP/2, modern sockets), netstandard2.0 on Windows PowerShell 5.1.
# The cmdlet assembly is loaded first and told where its dependencies are (bin/<framework>/dependencies),
# so that they load in the module's own context before the cmdlets are imported.
$framework = if ($PSEdition -eq 'Core') { 'net8.0' } else { 'netstandard2.0' }
$assemblyPath = [System.IO.Path]::Combine($PSScriptRoot, 'bin', $framework, 'ScaleBox.Sandbox.dll')
$assembly = [System.Reflection.Assembly]::LoadFrom($assemblyPath)
$dependencies = $assembly.GetType('ScaleBox.Sandbox.Loading.ModuleDependencies', $true)
$dependencies::Register()
Import-Module -Name $assemblyPath -ErrorAction Stop

if ($PSEdition -eq 'Core') {
    # PowerShell finds types named in scripts ([ScaleBox.Sandbox.Client.Files.SandboxItem], -is, -as)
    # only in its default load context; the client library lives in the module's own, so its public
    # types are made known by their full names, once per process (see ClientTypeNames).
    $assembly.GetType('ScaleBox.Sandbox.Loading.ClientTypeNames', $true)::Register()
}

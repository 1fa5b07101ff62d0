# Loads the build of the module assembly that fits the running PowerShell: net8.0 on PowerShell 7
# (gRPC over HTTP/2, modern sockets), netstandard2.0 on Windows PowerShell 5.1.
$framework = if ($PSEdition -eq 'Core') { 'net8.0' } else { 'netstandard2.0' }
$assemblyPath = [System.IO.Path]::Combine($PSScriptRoot, 'bin', $framework, 'ScaleBox.Sandbox.dll')
Import-Module -Name $assemblyPath -ErrorAction Stop

# The netstandard2.0 build is the one Windows PowerShell 5.1 loads. It cannot be run here, so its
# package is checked for what 5.1 needs: every assembly its dependency closure names, at the version
# named or later, in bin/netstandard2.0/dependencies (served by the module's AssemblyResolve handler,
# since a module gets no binding redirects), except what .NET Framework 4.7.2 itself carries.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestAgent.ps1')
    $bin = Join-Path (Get-TestModulePath) 'bin/netstandard2.0'
    $dependencies = Join-Path $bin 'dependencies'

    # In .NET Framework 4.7.2 (the manifest's DotNetFrameworkVersion) and Windows PowerShell 5.1:
    # the core library, its netstandard 2.0 facade, and PowerShell itself.
    $framework = 'mscorlib', 'netstandard', 'System', 'System.Core', 'System.Management.Automation'

    # The closure from the cmdlet assembly, as Windows PowerShell would walk it.
    $shipped = @{}
    Get-ChildItem -LiteralPath $dependencies -Filter *.dll | ForEach-Object {
        $identity = Get-AssemblyIdentity $_.FullName
        $shipped[$identity.Name] = $identity
    }
    $root = Get-AssemblyIdentity (Join-Path $bin 'ScaleBox.Sandbox.dll')
    $references = [System.Collections.Generic.List[object]]::new()
    $visited = @{}
    $queue = [System.Collections.Generic.Queue[object]]::new()
    $queue.Enqueue($root)
    while ($queue.Count -gt 0) {
        $assembly = $queue.Dequeue()
        foreach ($reference in $assembly.References) {
            if ($reference.Name -in $framework) { continue }
            $references.Add([pscustomobject]@{ From = $assembly.Name; Name = $reference.Name; Version = $reference.Version })
            if (-not $visited[$reference.Name] -and $shipped[$reference.Name]) {
                $visited[$reference.Name] = $true
                $queue.Enqueue($shipped[$reference.Name])
            }
        }
    }
}

Describe 'The Windows PowerShell 5.1 package' {
    It 'names its dependencies' {
        $references.Count | Should -BeGreaterThan 10 -Because 'the client library needs gRPC, protobuf and the System.* packages'
    }

    It 'ships every assembly its closure names, at that version or later' {
        $missing = foreach ($reference in $references) {
            $found = $shipped[$reference.Name]
            if (-not $found) {
                "$($reference.From) needs $($reference.Name) $($reference.Version), which is not shipped"
            }
            elseif ($found.Version -lt $reference.Version) {
                "$($reference.From) needs $($reference.Name) $($reference.Version), but $($found.Version) is shipped"
            }
        }
        $missing | Should -BeNullOrEmpty
    }

    It 'ships nothing that the closure does not need' {
        $needed = @($references | ForEach-Object Name | Sort-Object -Unique)
        @($shipped.Keys | Where-Object { $_ -notin $needed }) | Should -BeNullOrEmpty
    }

    It 'keeps only the cmdlet assembly beside the loader' {
        @(Get-ChildItem -LiteralPath $bin -Filter *.dll | ForEach-Object Name) | Should -Be @('ScaleBox.Sandbox.dll')
    }
}

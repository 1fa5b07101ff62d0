using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;

namespace ScaleBox.Sandbox.Loading;

/// <summary>
/// Where the module's dependencies come from. The cmdlet assembly is the only one that sits
/// beside the manifest's loader; the client library and everything it needs (Google.Protobuf,
/// Grpc.*, Microsoft.Extensions.*, and on Windows PowerShell the System.* packages) live in
/// <c>dependencies/</c> next to it, out of PowerShell's own probing, and are served from there
/// only to this module, so another module's versions of the same assemblies neither stop this
/// one from loading nor are broken by it.
/// </summary>
public static class ModuleDependencies
{
    /// <summary>The folder of the dependencies, relative to the cmdlet assembly.</summary>
    public const string FolderName = "dependencies";

    static readonly OncePerProcess Once = new OncePerProcess(HookLoading);

    /// <summary>
    /// Hooks the module's dependency loading into the runtime. Idempotent; the module's loader calls
    /// it before the cmdlets are imported, and importing the assembly directly calls it too.
    /// </summary>
    public static void Register() => Once.Run();

    static void HookLoading()
    {
        string folder = Path.Combine(Path.GetDirectoryName(typeof(ModuleDependencies).Assembly.Location) ?? string.Empty, FolderName);
#if NETSTANDARD2_0
        WindowsPowerShellResolver.Register(folder);
#else
        DependencyLoadContext.Register(folder);
#endif
    }

    /// <summary>
    /// The client library as loaded for the cmdlets (in the module's own context on PowerShell 7).
    /// The loader makes its public types resolvable by name in scripts, as they were before.
    /// </summary>
    public static Assembly ClientAssembly => typeof(Client.Transport.SandboxClient).Assembly;

    /// <summary>The load context's name as it shows in diagnostics (e.g. AssemblyLoadContext.All).</summary>
    public const string LoadContextName = "ScaleBox.Sandbox";
}

/// <summary>Runs when the cmdlet assembly is imported by path rather than through the module's loader.</summary>
public sealed class ModuleDependenciesInitializer : IModuleAssemblyInitializer
{
    public void OnImport() => ModuleDependencies.Register();
}

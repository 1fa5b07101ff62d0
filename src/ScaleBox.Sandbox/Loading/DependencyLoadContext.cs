#if !NETSTANDARD2_0
using System;
using System.IO;
using System.Reflection;
using System.Runtime.Loader;

namespace ScaleBox.Sandbox.Loading;

/// <summary>
/// The module's own load context (PowerShell 7): the client library and its dependencies load here,
/// from the module's <c>dependencies/</c> folder, whatever versions of the same assemblies the
/// default context already holds or loads later. Only the client library is handed to the default
/// context, where the cmdlets ask for it; every type the cmdlets see comes from it, so no type of a
/// dependency crosses from one context to the other.
/// </summary>
internal sealed class DependencyLoadContext : AssemblyLoadContext
{
    /// <summary>The assembly the cmdlets reference; the one way into this context.</summary>
    const string EntryAssemblyName = "ScaleBox.Sandbox.Client";

    readonly string _folder;

    DependencyLoadContext(string folder)
        : base(ModuleDependencies.LoadContextName, isCollectible: false)
    {
        _folder = folder;
    }

    public static void Register(string folder)
    {
        var context = new DependencyLoadContext(folder);
        Default.Resolving += (_, name) =>
            string.Equals(name.Name, EntryAssemblyName, StringComparison.Ordinal) ? context.LoadFromAssemblyName(name) : null;
    }

    protected override Assembly? Load(AssemblyName name)
    {
        // Ours when we ship it; anything else (the framework, System.Management.Automation) comes
        // from the default context, as for any other assembly.
        string path = Path.Combine(_folder, name.Name + ".dll");
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }
}
#endif

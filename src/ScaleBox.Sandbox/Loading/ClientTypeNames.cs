using System;
using System.Management.Automation;
using System.Reflection;

namespace ScaleBox.Sandbox.Loading;

/// <summary>
/// Makes the client library's public types resolvable by their full names in scripts
/// (<c>[ScaleBox.Sandbox.Client.Files.SandboxItem]</c>, <c>-is</c>, <c>-as</c>) on PowerShell 7,
/// where they live outside PowerShell's default load context: as type accelerators, the way
/// about_Classes exports types. Once per process, under a lock: PowerShell keeps accelerators in
/// one dictionary that is not safe to write from two threads, and runspaces that import the module
/// at the same moment (<c>ForEach-Object -Parallel</c>, thread jobs) would otherwise write it
/// together and corrupt it. They are left in place when the module is removed: other runspaces may
/// still use them, and the types stay loaded.
/// </summary>
public static class ClientTypeNames
{
    static readonly OncePerProcess Once = new OncePerProcess(AddAccelerators);

    /// <summary>Registers the names; idempotent and safe to call from several runspaces at once.</summary>
    public static void Register() => Once.Run();

    static void AddAccelerators()
    {
        Type accelerators = typeof(PSObject).Assembly.GetType("System.Management.Automation.TypeAccelerators", throwOnError: true)!;
        MethodInfo add = accelerators.GetMethod("Add", BindingFlags.Public | BindingFlags.Static, null, new[] { typeof(string), typeof(Type) }, null)
            ?? throw new MissingMethodException(accelerators.FullName, "Add");
        foreach (Type type in ModuleDependencies.ClientAssembly.GetExportedTypes())
        {
            if (!type.IsNested && !type.IsGenericTypeDefinition)
            {
                add.Invoke(null, new object[] { type.FullName!, type });
            }
        }
    }
}

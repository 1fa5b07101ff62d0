#if NETSTANDARD2_0
using System;
using System.IO;
using System.Reflection;

namespace ScaleBox.Sandbox.Loading;

/// <summary>
/// Windows PowerShell 5.1 has one load context and no binding redirects for modules: a dependency
/// that asks for System.Memory 4.0.1.1 while 4.0.1.2 ships, or that is not in the GAC at all, fails
/// to load unless someone answers AssemblyResolve. This answers it with the module's own copy from
/// <c>dependencies/</c>, whatever version was asked for, and stays out of every other request.
/// </summary>
internal static class WindowsPowerShellResolver
{
    public static void Register(string folder)
    {
        AppDomain.CurrentDomain.AssemblyResolve += (_, args) =>
        {
            string simpleName = new AssemblyName(args.Name).Name;
            string path = Path.Combine(folder, simpleName + ".dll");
            return File.Exists(path) ? Assembly.LoadFrom(path) : null;
        };
    }
}
#endif

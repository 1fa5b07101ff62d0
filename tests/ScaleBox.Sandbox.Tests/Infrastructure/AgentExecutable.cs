using System.Reflection;

namespace ScaleBox.Sandbox.Tests.Infrastructure;

/// <summary>
/// Where the built agent is, for tests that run it as a separate process with <c>dotnet</c>.
/// </summary>
public static class AgentExecutable
{
    const string AssemblyFile = "ScaleBox.Sandbox.Agent.dll";
    const string RuntimeConfigFile = "ScaleBox.Sandbox.Agent.runtimeconfig.json";

    /// <summary>
    /// The project reference copies the agent (with its runtimeconfig and deps files) next to the
    /// test assembly, so that copy is tried first; the agent project's own output for the same
    /// configuration is the fallback, for runners that shadow-copy or trim the test folder.
    /// A candidate counts only with its runtimeconfig beside it: without one, <c>dotnet x.dll</c> fails.
    /// </summary>
    public static string Locate()
    {
        var candidates = new List<string> { AppContext.BaseDirectory };

        string configuration = typeof(AgentExecutable).Assembly
            .GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ScaleBox.Sandbox.slnx")))
            {
                candidates.Add(Path.Combine(dir.FullName, "src", "ScaleBox.Sandbox.Agent", "bin", configuration, "net10.0"));
                break;
            }
        }

        foreach (string folder in candidates)
        {
            string assembly = Path.Combine(folder, AssemblyFile);
            if (File.Exists(assembly) && File.Exists(Path.Combine(folder, RuntimeConfigFile)))
            {
                return assembly;
            }
        }
        throw new FileNotFoundException(
            $"Cannot find a runnable {AssemblyFile}; looked in: {string.Join(", ", candidates)}. Build the agent project first.");
    }

    /// <summary>
    /// The dotnet host that runs this test process (so the agent gets the same runtime), falling
    /// back to the one the SDK advertises, then to whatever is on PATH.
    /// </summary>
    public static string DotnetHost()
    {
        string? current = Environment.ProcessPath;
        if (current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet")
        {
            return current;
        }
        return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } advertised ? advertised : "dotnet";
    }
}

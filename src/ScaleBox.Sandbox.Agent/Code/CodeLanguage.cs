using Grpc.Core;

namespace ScaleBox.Sandbox.Agent.Code;

/// <summary>How a language is run: our own bash or node runner, or an installed Jupyter kernel.</summary>
public enum RunnerKind { Bash, Node, Jupyter }

/// <summary>
/// A language as a request names it, resolved to what runs it. <see cref="KernelLanguage"/> is the
/// language the kernel declares, which differs from the name when a kernel is named by its own
/// name (<c>python3</c>, <c>ir</c>), as the real agent lets requests name them.
/// </summary>
public sealed record CodeLanguage(string Name, RunnerKind Runner, string? KernelSpecDir, string? DeclaredLanguage = null)
{
    public string KernelLanguage => DeclaredLanguage ?? Name;

    /// <summary>
    /// Resolves a request's language ("" is python, as the SDKs default). A language nothing installed
    /// serves is <c>failed_precondition</c>: the request is well formed, the sandbox lacks the kernel.
    /// </summary>
    public static CodeLanguage Resolve(string requested)
    {
        string name = string.IsNullOrWhiteSpace(requested) ? "python" : requested.Trim().ToLowerInvariant();
        switch (name)
        {
            case "bash" or "sh" or "shell":
                return new CodeLanguage("bash", RunnerKind.Bash, null);
            case "javascript" or "js" or "node" or "nodejs":
                return new CodeLanguage("javascript", RunnerKind.Node, null);
        }
        if (KernelSpecs.FindByLanguage(name) is { } spec)
        {
            return new CodeLanguage(name, RunnerKind.Jupyter, spec);
        }
        // The real agent hands the language to Jupyter as a kernel name: "python3" is a kernel too.
        if (KernelSpecs.FindByName(name) is { } named)
        {
            return new CodeLanguage(name, RunnerKind.Jupyter, named, KernelSpecs.LanguageOf(named)?.ToLowerInvariant());
        }
        throw new RpcException(new Status(StatusCode.FailedPrecondition,
            $"no Jupyter kernel for language '{name}' is installed: {InstallHint(name)}"));
    }

    static string InstallHint(string name) => name switch
    {
        "python" => "install python3-ipykernel (apt-get install python3-ipykernel python3-jupyter-client)",
        "r" => "install IRkernel (apt-get install r-cran-irkernel)",
        "typescript" or "deno" => "install Deno and register its kernel (deno jupyter --install)",
        "java" => "install a Java kernel such as IJava and register its kernelspec",
        _ => $"install a Jupyter kernel whose kernelspec declares language \"{name}\"",
    };
}

using System.Text;
using Grpc.Core;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Tests.Agent.Processes;
using ScaleBox.Sandbox.Protocol;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.Agent.Code;

/// <summary>
/// Raw generated Execution and Context clients on a real channel to the in-process agent (the
/// channel and auth headers of <see cref="ProcessRpc"/>). Contexts made here are destroyed on dispose.
/// </summary>
sealed class CodeRpc : IDisposable
{
    /// <summary>Bounds every call: a kernel start or execution that hangs fails the test.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    readonly ProcessRpc _rpc;
    readonly List<string> _contexts = [];

    public CodeRpc(LocalAgentFixture agent, SandboxProtocol protocol)
    {
        _rpc = new ProcessRpc(agent, protocol);
        Execution = new ExecutionService.ExecutionServiceClient(_rpc.Channel);
        Contexts = new ContextService.ContextServiceClient(_rpc.Channel);
    }

    public ExecutionService.ExecutionServiceClient Execution { get; }

    public ContextService.ContextServiceClient Contexts { get; }

    public CallOptions Options(TimeSpan? deadline = null, CancellationToken cancellationToken = default) =>
        _rpc.Options(deadline ?? Patience, cancellationToken: cancellationToken);

    public async Task<Context> CreateAsync(string language = "python", string? cwd = null)
    {
        Context context = await Contexts.CreateContextAsync(new CreateContextRequest { Language = language, Cwd = cwd ?? "" }, Options());
        _contexts.Add(context.Id);
        return context;
    }

    public Task DestroyAsync(string id) => Contexts.DestroyContextAsync(new DestroyContextRequest { ContextId = id }, Options()).ResponseAsync;

    public AsyncServerStreamingCall<ExecuteResponse> Start(string contextId, string code, TimeSpan? deadline = null,
        IDictionary<string, string>? env = null, string language = "", CancellationToken cancellationToken = default)
    {
        var request = new ExecuteRequest { ContextId = contextId, Code = code, Language = language };
        if (env is not null) request.EnvVars.Add(env);
        return Execution.Execute(request, Options(deadline, cancellationToken));
    }

    /// <summary>Runs code and reads the whole stream.</summary>
    public async Task<CodeRun> RunAsync(string contextId, string code, IDictionary<string, string>? env = null, string language = "")
    {
        using AsyncServerStreamingCall<ExecuteResponse> call = Start(contextId, code, env: env, language: language);
        var run = new CodeRun();
        await foreach (ExecuteResponse response in call.ResponseStream.ReadAllAsync())
        {
            run.Events.Add(response);
        }
        return run;
    }

    public void Dispose()
    {
        foreach (string id in _contexts)
        {
            try { DestroyAsync(id).Wait(Patience); } catch (AggregateException) { }
        }
        _rpc.Dispose();
    }
}

/// <summary>Everything one Execute stream said, in order.</summary>
sealed class CodeRun
{
    public List<ExecuteResponse> Events { get; } = [];

    public string Stdout => string.Concat(Events.Where(e => e.EventCase == ExecuteResponse.EventOneofCase.Stdout).Select(e => e.Stdout.Content));

    public string Stderr => string.Concat(Events.Where(e => e.EventCase == ExecuteResponse.EventOneofCase.Stderr).Select(e => e.Stderr.Content));

    public IReadOnlyList<Result> Results => Events.Where(e => e.EventCase == ExecuteResponse.EventOneofCase.Result).Select(e => e.Result).ToList();

    public Result? Main => Results.SingleOrDefault(r => r.IsMainResult);

    public Error? Error => Events.SingleOrDefault(e => e.EventCase == ExecuteResponse.EventOneofCase.Error)?.Error;

    /// <summary>Fails with what the kernel said when the run had an error.</summary>
    public CodeRun Ok()
    {
        Assert.True(Error is null, Error is null ? "" : $"{Error.Name}: {Error.Value}\n{Error.Traceback}");
        return this;
    }
}

/// <summary>A theory or fact that needs a real kernel; skipped, with the reason, when it is not installed.</summary>
static class Kernels
{
    public static string? MissingPython { get; } =
        ScaleBox.Sandbox.Agent.Code.KernelSpecs.FindByLanguage("python") is null
            ? "no Python kernelspec is installed (apt-get install python3-ipykernel python3-jupyter-client)"
            : !Has("/usr/bin/python3", "-c", "import jupyter_client, ipykernel")
                ? "/usr/bin/python3 lacks jupyter_client or ipykernel (apt-get install python3-jupyter-client python3-ipykernel)"
                : null;

    public static string? MissingPlotting { get; } = MissingPython ?? (Has("/usr/bin/python3", "-c", "import matplotlib, pandas")
        ? null : "/usr/bin/python3 lacks matplotlib or pandas (apt-get install python3-matplotlib python3-pandas)");

    public static string? MissingNode { get; } = Has("node", "--version") ? null : "node is not installed";

    public static string? MissingR { get; } = ScaleBox.Sandbox.Agent.Code.KernelSpecs.FindByLanguage("r") is null
        ? "no R kernelspec is installed (apt-get install r-cran-irkernel)" : null;

    static bool Has(string program, params string[] args)
    {
        try
        {
            var start = new System.Diagnostics.ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (string a in args) start.ArgumentList.Add(a);
            using var p = System.Diagnostics.Process.Start(start)!;
            p.WaitForExit(30_000);
            return p.HasExited && p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}

public sealed class PythonKernelTheoryAttribute : TheoryAttribute
{
    public PythonKernelTheoryAttribute() { if (Kernels.MissingPython is { } m) Skip = m; }
}

public sealed class PlottingTheoryAttribute : TheoryAttribute
{
    public PlottingTheoryAttribute() { if (Kernels.MissingPlotting is { } m) Skip = m; }
}

public sealed class NodeTheoryAttribute : TheoryAttribute
{
    public NodeTheoryAttribute() { if (Kernels.MissingNode is { } m) Skip = m; }
}

public sealed class RKernelFactAttribute : FactAttribute
{
    public RKernelFactAttribute() { if (Kernels.MissingR is { } m) Skip = m; }
}

public sealed class PythonKernelFactAttribute : FactAttribute
{
    public PythonKernelFactAttribute() { if (Kernels.MissingPython is { } m) Skip = m; }
}

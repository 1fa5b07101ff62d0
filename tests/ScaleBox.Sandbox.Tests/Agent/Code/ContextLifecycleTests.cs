using Grpc.Core;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Protocol;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.Agent.Code;

/// <summary>Creating and destroying contexts, their errors, and a kernel that dies.</summary>
[Collection(LocalAgentCollection.Name)]
public sealed class ContextLifecycleTests(LocalAgentFixture agent)
{
    [PythonKernelTheory, BothProtocols]
    public async Task Destroy_ends_the_kernel_process_and_the_context_is_then_not_found(SandboxProtocol protocol)
    {
        using var rpc = new CodeRpc(agent, protocol);
        Context context = await rpc.CreateAsync();
        int pid = int.Parse((await rpc.RunAsync(context.Id, "import os\nos.getpid()")).Ok().Main!.Text);
        Assert.True(Directory.Exists($"/proc/{pid}"));

        await rpc.DestroyAsync(context.Id);

        using (var patience = new CancellationTokenSource(CodeRpc.Patience))
        {
            while (IsRunning(pid))
            {
                await Task.Delay(50, patience.Token);
            }
        }
        var run = await Assert.ThrowsAsync<RpcException>(() => rpc.RunAsync(context.Id, "1"));
        Assert.Equal(StatusCode.NotFound, run.StatusCode);
        var again = await Assert.ThrowsAsync<RpcException>(() => rpc.DestroyAsync(context.Id));
        Assert.Equal(StatusCode.NotFound, again.StatusCode);
    }

    [PythonKernelTheory, BothProtocols]
    public async Task Destroying_a_busy_context_ends_its_execution_and_its_kernel(SandboxProtocol protocol)
    {
        using var rpc = new CodeRpc(agent, protocol);
        Context context = await rpc.CreateAsync();
        using AsyncServerStreamingCall<ExecuteResponse> call = rpc.Start(context.Id, "import os\nprint(os.getpid(), flush=True)\nwhile True:\n    pass");
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        int pid = int.Parse(call.ResponseStream.Current.Stdout.Content);

        await rpc.DestroyAsync(context.Id);

        using var patience = new CancellationTokenSource(CodeRpc.Patience);
        while (IsRunning(pid))
        {
            await Task.Delay(50, patience.Token);
        }
        // The execution's stream ends, one way or another, instead of hanging.
        try { while (await call.ResponseStream.MoveNext(patience.Token)) { } } catch (RpcException) { }
    }

    [Theory, BothProtocols]
    public async Task An_unknown_context_is_not_found(SandboxProtocol protocol)
    {
        using var rpc = new CodeRpc(agent, protocol);

        var e = await Assert.ThrowsAsync<RpcException>(() => rpc.RunAsync("no-such-context", "1"));

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        Assert.Contains("no-such-context", e.Status.Detail);
    }

    [PlottingTheory, BothProtocols]
    public async Task A_kernel_named_by_its_own_name_is_a_language_too(SandboxProtocol protocol)
    {
        // As the reference code interpreter, which hands the language to Jupyter as a kernel name (an
        // older version of it defaulted to "python3"). It is a Python context in every way.
        using var rpc = new CodeRpc(agent, protocol);

        Context context = await rpc.CreateAsync("Python3");
        CodeRun run = (await rpc.RunAsync(context.Id, "import pandas as pd\npd.DataFrame({'a': [1]})")).Ok();

        Assert.Equal("python3", context.Language);
        using var data = System.Text.Json.JsonDocument.Parse(run.Main!.Data);
        Assert.Equal(1, data.RootElement.GetProperty("a")[0].GetInt32());
    }

    [Theory, BothProtocols]
    public async Task A_language_with_no_kernel_is_a_failed_precondition_naming_it_and_what_to_install(SandboxProtocol protocol)
    {
        using var rpc = new CodeRpc(agent, protocol);

        var created = await Assert.ThrowsAsync<RpcException>(() => rpc.CreateAsync("cobol"));
        var executed = await Assert.ThrowsAsync<RpcException>(() => rpc.RunAsync("", "1", language: "cobol"));

        foreach (RpcException e in new[] { created, executed })
        {
            Assert.Equal(StatusCode.FailedPrecondition, e.StatusCode);
            Assert.Contains("'cobol'", e.Status.Detail);
            Assert.Contains("install", e.Status.Detail);
        }
    }

    [Theory, BothProtocols]
    public async Task A_missing_cwd_is_an_invalid_argument(SandboxProtocol protocol)
    {
        using var rpc = new CodeRpc(agent, protocol);

        var e = await Assert.ThrowsAsync<RpcException>(() => rpc.CreateAsync("bash", Path.Combine(agent.Home, "missing-" + Guid.NewGuid().ToString("N"))));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    [PythonKernelTheory, BothProtocols]
    public async Task A_kernel_that_dies_is_an_error_on_that_call_and_the_context_says_so_after(SandboxProtocol protocol)
    {
        using var rpc = new CodeRpc(agent, protocol);
        Context context = await rpc.CreateAsync();

        var died = await Assert.ThrowsAsync<RpcException>(() => rpc.RunAsync(context.Id, "import os\nos._exit(1)"));
        var next = await Assert.ThrowsAsync<RpcException>(() => rpc.RunAsync(context.Id, "1"));

        Assert.Equal(StatusCode.Aborted, died.StatusCode);
        Assert.Contains("died", died.Status.Detail);
        Assert.Equal(StatusCode.FailedPrecondition, next.StatusCode);
        Assert.Contains("died", next.Status.Detail);
    }

    static bool IsRunning(int pid)
    {
        // A zombie no longer runs anything; only a live process counts.
        try { return !File.ReadAllText($"/proc/{pid}/stat").Split(')')[1].TrimStart().StartsWith('Z'); }
        catch (IOException) { return false; }
    }
}

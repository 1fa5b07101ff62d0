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
        Assert.Contains("the kernel exited with code 1 during this execution", died.Status.Detail);
        Assert.Contains("destroy the context", died.Status.Detail);
        Assert.Equal(StatusCode.FailedPrecondition, next.StatusCode);
        Assert.Contains("the kernel exited with code 1 during an earlier execution", next.Status.Detail);
    }

    [PythonKernelTheory, BothProtocols]
    public async Task A_kernel_killed_by_a_signal_is_said_to_be_so(SandboxProtocol protocol)
    {
        string said = await DeathAsync(protocol, "python", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)");

        Assert.Contains("the kernel was killed by SIGKILL", said);
        Assert.Contains("out of memory", said);
    }

    [Theory, BothProtocols]
    public async Task A_bash_context_that_exits_says_with_what_status(SandboxProtocol protocol) =>
        Assert.Contains("bash exited with code 3", await DeathAsync(protocol, "bash", "exit 3"));

    [NodeTheory, BothProtocols]
    public async Task A_javascript_context_whose_runner_exits_says_with_what_code(SandboxProtocol protocol) =>
        Assert.Contains("the javascript kernel exited with code 4", await DeathAsync(protocol, "javascript", "process.exit(4)"));

    /// <summary>Runs <paramref name="code"/>, which ends its kernel, in a new context: the Aborted status's message.</summary>
    async Task<string> DeathAsync(SandboxProtocol protocol, string language, string code)
    {
        using var rpc = new CodeRpc(agent, protocol);
        Context context = await rpc.CreateAsync(language);
        var died = await Assert.ThrowsAsync<RpcException>(() => rpc.RunAsync(context.Id, code));
        Assert.Equal(StatusCode.Aborted, died.StatusCode);
        return died.Status.Detail;
    }

    [PythonKernelTheory, BothProtocols]
    public async Task A_default_context_whose_kernel_died_is_replaced_by_the_next_execution_naming_none(SandboxProtocol protocol)
    {
        using var rpc = new CodeRpc(agent, protocol);
        await rpc.RunAsync("", "left_behind = 1", language: "python");
        string before = (await rpc.RunAsync("", "import os\nos.getpid()", language: "python")).Ok().Main!.Text;

        var died = await Assert.ThrowsAsync<RpcException>(() => rpc.RunAsync("", "import os\nos._exit(5)", language: "python"));
        CodeRun next = await rpc.RunAsync("", "import os\nprint('left_behind' in globals())\nos.getpid()", language: "python");

        Assert.Equal(StatusCode.Aborted, died.StatusCode);
        Assert.Contains("the kernel exited with code 5", died.Status.Detail);
        Assert.Contains("the next execution that names no context starts a new kernel", died.Status.Detail);
        next.Ok();
        Assert.NotEqual(before, next.Main!.Text); // a new kernel process
        Assert.Equal("False\n", next.Stdout);    // with none of the old state
    }

    static bool IsRunning(int pid)
    {
        // A zombie no longer runs anything; only a live process counts.
        try { return !File.ReadAllText($"/proc/{pid}/stat").Split(')')[1].TrimStart().StartsWith('Z'); }
        catch (IOException) { return false; }
    }
}

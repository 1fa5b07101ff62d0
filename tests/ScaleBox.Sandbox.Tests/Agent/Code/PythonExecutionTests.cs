using Grpc.Core;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Protocol;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.Agent.Code;

/// <summary>
/// Execute on a real IPython kernel: state between calls, the last expression as the main result,
/// output streamed as it is printed, errors, contexts kept apart, cwd and per-call env_vars.
/// </summary>
[Collection(LocalAgentCollection.Name)]
public sealed class PythonExecutionTests(LocalAgentFixture agent)
{
    [PythonKernelTheory, BothProtocols]
    public async Task State_persists_and_the_last_expression_is_the_main_result_while_print_is_stdout(SandboxProtocol protocol)
    {
        using var rpc = new CodeRpc(agent, protocol);
        Context context = await rpc.CreateAsync();

        (await rpc.RunAsync(context.Id, "x = 40")).Ok();
        CodeRun run = (await rpc.RunAsync(context.Id, "print('printed')\nx + 2")).Ok();

        Assert.Equal("printed\n", run.Stdout);
        Result main = Assert.Single(run.Results);
        Assert.True(main.IsMainResult);
        Assert.Equal("42", main.Text);
        Assert.Equal(2, main.ExecutionCount);
    }

    [PythonKernelTheory, BothProtocols]
    public async Task Output_streams_as_it_is_printed(SandboxProtocol protocol)
    {
        using var rpc = new CodeRpc(agent, protocol);
        Context context = await rpc.CreateAsync();
        string gate = Path.Combine(agent.NewFolder("code-stream"), "gate");

        // The second print waits for a file the test creates only after it has read the first.
        using AsyncServerStreamingCall<ExecuteResponse> call = rpc.Start(context.Id,
            $"import os, time\nprint('first', flush=True)\nwhile not os.path.exists({PythonString(gate)}): time.sleep(0.05)\nprint('second')");
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal("first\n", call.ResponseStream.Current.Stdout.Content);
        await File.WriteAllTextAsync(gate, "");
        var rest = new List<ExecuteResponse>();
        await foreach (ExecuteResponse e in call.ResponseStream.ReadAllAsync())
        {
            rest.Add(e);
        }

        Assert.Equal("second\n", string.Concat(rest.Select(e => e.Stdout?.Content)));
    }

    [PythonKernelTheory, BothProtocols]
    public async Task A_print_a_sleep_and_a_print_arrive_as_two_events_in_order(SandboxProtocol protocol)
    {
        using var rpc = new CodeRpc(agent, protocol);
        Context context = await rpc.CreateAsync();

        CodeRun run = (await rpc.RunAsync(context.Id, "import time, sys\nprint('a')\nsys.stderr.write('e\\n')\ntime.sleep(0.6)\nprint('b')")).Ok();

        Assert.Equal(["a\n", "b\n"], run.Events.Where(e => e.EventCase == ExecuteResponse.EventOneofCase.Stdout).Select(e => e.Stdout.Content));
        Assert.Equal("e\n", run.Stderr);
    }

    [PythonKernelTheory, BothProtocols]
    public async Task An_exception_is_an_error_with_name_value_and_a_plain_traceback(SandboxProtocol protocol)
    {
        using var rpc = new CodeRpc(agent, protocol);
        Context context = await rpc.CreateAsync();

        CodeRun run = await rpc.RunAsync(context.Id, "def f():\n    return 1 / 0\nf()");

        Error error = Assert.IsType<Error>(run.Error);
        Assert.Equal("ZeroDivisionError", error.Name);
        Assert.Equal("division by zero", error.Value);
        Assert.Contains("return 1 / 0", error.Traceback);
        Assert.DoesNotContain("\u001b", error.Traceback, StringComparison.Ordinal);
        Assert.Empty(run.Results);
        // The context is still usable after an error.
        Assert.Equal("2", (await rpc.RunAsync(context.Id, "1 + 1")).Ok().Main!.Text);
    }

    [PythonKernelTheory, BothProtocols]
    public async Task Code_sent_right_after_an_error_always_runs(SandboxProtocol protocol)
    {
        // IPython's stop_on_error drops requests that reach it before it has finished
        // "aborting" after an error: an Execute sent at once after a failed one ended with no
        // output at all, a few times in a hundred.
        using var rpc = new CodeRpc(agent, protocol);
        Context context = await rpc.CreateAsync();

        var lost = new List<int>();
        for (int round = 0; round < 100; round++)
        {
            Assert.NotNull((await rpc.RunAsync(context.Id, "1 / 0")).Error);
            if ((await rpc.RunAsync(context.Id, $"{round} + 1")).Main?.Text != $"{round + 1}") lost.Add(round);
        }

        Assert.Empty(lost);
    }

    [PythonKernelTheory, BothProtocols]
    public async Task Two_contexts_do_not_share_state(SandboxProtocol protocol)
    {
        using var rpc = new CodeRpc(agent, protocol);
        Context one = await rpc.CreateAsync();
        Context two = await rpc.CreateAsync();

        (await rpc.RunAsync(one.Id, "secret = 'one'")).Ok();
        CodeRun run = await rpc.RunAsync(two.Id, "secret");

        Assert.NotEqual(one.Id, two.Id);
        Assert.Equal("NameError", run.Error?.Name);
        Assert.Equal("one", (await rpc.RunAsync(one.Id, "secret")).Ok().Main!.Text);
    }

    [PythonKernelTheory, BothProtocols]
    public async Task The_context_runs_in_its_cwd(SandboxProtocol protocol)
    {
        using var rpc = new CodeRpc(agent, protocol);
        string folder = agent.NewFolder("code-cwd");
        Context context = await rpc.CreateAsync(cwd: folder);

        CodeRun run = (await rpc.RunAsync(context.Id, "import os\nprint(os.getcwd())")).Ok();

        Assert.Equal(folder, context.Cwd);
        Assert.Equal("python", context.Language);
        Assert.True(context.CreatedAt.Seconds > 0);
        Assert.Equal(folder + "\n", run.Stdout);
    }

    [PythonKernelTheory, BothProtocols]
    public async Task Env_vars_apply_to_one_execution_only(SandboxProtocol protocol)
    {
        using var rpc = new CodeRpc(agent, protocol);
        Context context = await rpc.CreateAsync();
        const string Read = "import os\nprint(os.environ.get('SBX_CODE_VAR', 'unset'))";

        CodeRun with = (await rpc.RunAsync(context.Id, Read, new Dictionary<string, string> { ["SBX_CODE_VAR"] = "it's set" })).Ok();
        CodeRun after = (await rpc.RunAsync(context.Id, Read)).Ok();

        Assert.Equal("it's set\n", with.Stdout);
        Assert.Equal("unset\n", after.Stdout);
    }

    [PythonKernelTheory, BothProtocols]
    public async Task Without_a_context_the_default_context_of_the_language_keeps_state(SandboxProtocol protocol)
    {
        using var rpc = new CodeRpc(agent, protocol);
        string name = "v" + Guid.NewGuid().ToString("N");

        (await rpc.RunAsync("", $"{name} = 7", language: "python")).Ok();
        CodeRun run = (await rpc.RunAsync("", name)).Ok();

        Assert.Equal("7", run.Main!.Text);
    }

    internal static string PythonString(string s) => "'" + s.Replace("\\", "\\\\").Replace("'", "\\'") + "'";
}

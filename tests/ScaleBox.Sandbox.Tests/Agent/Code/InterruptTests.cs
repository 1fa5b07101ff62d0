using Grpc.Core;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Protocol;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.Agent.Code;

/// <summary>A passed deadline or a cancelled call interrupts the kernel; the context keeps its state.</summary>
[Collection(LocalAgentCollection.Name)]
public sealed class InterruptTests(LocalAgentFixture agent)
{
    const string Loop = "n = 0\nwhile True:\n    n += 1";

    [PythonKernelTheory, BothProtocols]
    public async Task A_passed_deadline_interrupts_the_loop_and_the_context_keeps_its_state(SandboxProtocol protocol)
    {
        using var rpc = new CodeRpc(agent, protocol);
        Context context = await rpc.CreateAsync();
        (await rpc.RunAsync(context.Id, "kept = 'still here'")).Ok();

        using AsyncServerStreamingCall<ExecuteResponse> call = rpc.Start(context.Id, Loop, deadline: TimeSpan.FromSeconds(2));
        var e = await Assert.ThrowsAsync<RpcException>(async () => { await foreach (var _ in call.ResponseStream.ReadAllAsync()) { } });

        Assert.Equal(StatusCode.DeadlineExceeded, e.StatusCode);
        CodeRun after = (await rpc.RunAsync(context.Id, "(kept, n > 0)")).Ok();
        Assert.Equal("('still here', True)", after.Main!.Text);
    }

    [PythonKernelTheory, BothProtocols]
    public async Task A_cancelled_call_interrupts_the_loop_and_the_context_keeps_its_state(SandboxProtocol protocol)
    {
        using var rpc = new CodeRpc(agent, protocol);
        Context context = await rpc.CreateAsync();
        (await rpc.RunAsync(context.Id, "kept = 'still here'")).Ok();

        using var cancel = new CancellationTokenSource();
        // 'looping' is printed from inside the loop once n is 1, so a cancellation right after it
        // cannot come before the loop ran (printed before the loop, the interrupt could land with n still 0).
        using AsyncServerStreamingCall<ExecuteResponse> call = rpc.Start(context.Id,
            "n = 0\nwhile True:\n    n += 1\n    if n == 1:\n        print('looping', flush=True)", cancellationToken: cancel.Token);
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal("looping\n", call.ResponseStream.Current.Stdout.Content);
        cancel.Cancel();

        CodeRun after = (await rpc.RunAsync(context.Id, "(kept, n > 0)")).Ok();
        Assert.Equal("('still here', True)", after.Main!.Text);
    }

    [Theory, BothProtocols]
    public async Task A_passed_deadline_interrupts_a_bash_command_and_the_shell_keeps_its_state(SandboxProtocol protocol)
    {
        using var rpc = new CodeRpc(agent, protocol);
        Context context = await rpc.CreateAsync("bash");
        (await rpc.RunAsync(context.Id, "kept=yes")).Ok();

        using AsyncServerStreamingCall<ExecuteResponse> call = rpc.Start(context.Id, "sleep 600", deadline: TimeSpan.FromSeconds(2));
        var e = await Assert.ThrowsAsync<RpcException>(async () => { await foreach (var _ in call.ResponseStream.ReadAllAsync()) { } });

        Assert.Equal(StatusCode.DeadlineExceeded, e.StatusCode);
        Assert.Equal("yes\n", (await rpc.RunAsync(context.Id, "echo $kept")).Ok().Stdout);
    }

    [NodeTheory, BothProtocols]
    public async Task A_passed_deadline_interrupts_a_javascript_loop_and_the_scope_survives(SandboxProtocol protocol)
    {
        using var rpc = new CodeRpc(agent, protocol);
        Context context = await rpc.CreateAsync("javascript");
        (await rpc.RunAsync(context.Id, "var kept = 'yes'")).Ok();

        using AsyncServerStreamingCall<ExecuteResponse> call = rpc.Start(context.Id, "while (true) {}", deadline: TimeSpan.FromSeconds(2));
        var e = await Assert.ThrowsAsync<RpcException>(async () => { await foreach (var _ in call.ResponseStream.ReadAllAsync()) { } });

        Assert.Equal(StatusCode.DeadlineExceeded, e.StatusCode);
        Assert.Equal("yes", (await rpc.RunAsync(context.Id, "kept")).Ok().Main!.Text);
    }
}

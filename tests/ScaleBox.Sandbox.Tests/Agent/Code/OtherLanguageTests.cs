using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Protocol;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.Agent.Code;

/// <summary>bash and JavaScript contexts keep their state; R runs on IRkernel when it is installed.</summary>
[Collection(LocalAgentCollection.Name)]
public sealed class OtherLanguageTests(LocalAgentFixture agent)
{
    [Theory, BothProtocols]
    public async Task A_bash_context_keeps_variables_functions_and_cwd(SandboxProtocol protocol)
    {
        using var rpc = new CodeRpc(agent, protocol);
        string folder = agent.NewFolder("code-bash");
        Context context = await rpc.CreateAsync("bash");

        (await rpc.RunAsync(context.Id, $"greeting=hello\ngreet() {{ echo \"$greeting $1\"; }}\ncd '{folder}'")).Ok();
        CodeRun run = (await rpc.RunAsync(context.Id, "greet world; pwd; echo oops >&2; echo $SBX_ONCE", new Dictionary<string, string> { ["SBX_ONCE"] = "once" })).Ok();
        CodeRun after = (await rpc.RunAsync(context.Id, "echo \"[$SBX_ONCE]\"")).Ok();
        CodeRun failed = await rpc.RunAsync(context.Id, "false");

        Assert.Equal("bash", context.Language);
        Assert.Equal($"hello world\n{folder}\nonce\n", run.Stdout);
        Assert.Equal("oops\n", run.Stderr);
        Assert.Equal("[]\n", after.Stdout);
        Assert.Equal("exit status 1", failed.Error?.Value);
    }

    [NodeTheory, BothProtocols]
    public async Task A_javascript_context_keeps_its_scope_and_the_last_expression_is_the_main_result(SandboxProtocol protocol)
    {
        using var rpc = new CodeRpc(agent, protocol);
        Context context = await rpc.CreateAsync("js");

        (await rpc.RunAsync(context.Id, "var total = 40; function add(a, b) { return a + b; }")).Ok();
        CodeRun run = (await rpc.RunAsync(context.Id, "console.log('adding'); add(total, 2)")).Ok();
        CodeRun failed = await rpc.RunAsync(context.Id, "null.x");

        Assert.Equal("javascript", context.Language);
        Assert.Equal("adding\n", run.Stdout);
        Assert.Equal("42", run.Main!.Text);
        Assert.Equal("TypeError", failed.Error?.Name);
    }

    [RKernelFact]
    public async Task An_R_context_runs_on_its_installed_kernel()
    {
        using var rpc = new CodeRpc(agent, SandboxProtocol.GrpcWeb);
        Context context = await rpc.CreateAsync("r");

        (await rpc.RunAsync(context.Id, "x <- c(1, 2, 3)")).Ok();
        CodeRun run = (await rpc.RunAsync(context.Id, "cat('sum', sum(x), '\\n')\nmean(x)")).Ok();

        Assert.Equal("r", context.Language);
        Assert.Equal("sum 6 \n", run.Stdout);
        // IRkernel shows a visible value as display_data, not execute_result: passed on as it says.
        Assert.Equal("[1] 2", Assert.Single(run.Results).Text);
    }

    [RKernelFact]
    public async Task An_R_execution_sees_its_env_vars_and_the_kernel_gets_its_own_back_after()
    {
        // As the reference code interpreter sets them for R (Sys.setenv), for that execution only.
        using var rpc = new CodeRpc(agent, SandboxProtocol.Grpc);
        Context context = await rpc.CreateAsync("r");
        (await rpc.RunAsync(context.Id, "Sys.setenv(SBX_R_KEPT = 'kept')")).Ok();

        CodeRun during = (await rpc.RunAsync(context.Id, "cat(Sys.getenv('SBX_R_ONCE'), Sys.getenv('SBX_R_KEPT'), sep = '|')",
            new Dictionary<string, string> { ["SBX_R_ONCE"] = "once \"quoted\" é", ["SBX_R_KEPT"] = "other" })).Ok();
        CodeRun after = (await rpc.RunAsync(context.Id, "cat(Sys.getenv('SBX_R_ONCE', unset = '<unset>'), Sys.getenv('SBX_R_KEPT'), exists('.sbx_saved'), sep = '|')")).Ok();

        Assert.Equal("once \"quoted\" é|other", during.Stdout);
        Assert.Equal("<unset>|kept|FALSE", after.Stdout);
    }
}

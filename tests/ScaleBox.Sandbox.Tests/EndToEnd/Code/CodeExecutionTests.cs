using ScaleBox.Sandbox.Client.Code;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Tests.Agent.Code;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.EndToEnd.Code;

/// <summary>
/// Code execution through the client library, over real sockets to the local agent and its real
/// Jupyter kernel: typed events in order, charts mapped, errors and deadlines translated.
/// </summary>
[Collection(LocalAgentCollection.Name)]
public sealed class CodeExecutionTests(LocalAgentFixture agent)
{
    static async Task<List<SandboxCodeEvent>> RunAsync(SandboxClient client, SandboxCodeRequest request, CancellationToken cancellationToken = default)
    {
        var events = new List<SandboxCodeEvent>();
        await foreach (SandboxCodeEvent e in client.Code.ExecuteAsync(request, cancellationToken))
        {
            events.Add(e);
        }
        return events;
    }

    /// <summary>Runs <paramref name="test"/> with a context of its own, removed afterwards whatever happens.</summary>
    static async Task InContextAsync(SandboxClient client, Func<SandboxCodeContext, Task> test, string language = "python")
    {
        SandboxCodeContext context = await client.Code.CreateContextAsync(language);
        try
        {
            await test(context);
        }
        finally
        {
            await client.Code.RemoveContextAsync(context.Id);
        }
    }

    [PythonKernelTheory, AllProtocols]
    public async Task Prints_results_and_state_come_through_as_typed_events(SandboxProtocol protocol)
    {
        using SandboxClient client = agent.CreateClient(protocol);
        await InContextAsync(client, async context =>
        {
            List<SandboxCodeEvent> events = await RunAsync(client, new SandboxCodeRequest("value = 6 * 7\nprint('hello')\nvalue") { ContextId = context.Id });

            SandboxCodeOutput printed = Assert.IsType<SandboxCodeOutput>(events[0]);
            Assert.Equal(SandboxCodeStream.Stdout, printed.Stream);
            Assert.Equal("hello\n", printed.Text);
            SandboxCodeResult result = Assert.IsType<SandboxCodeResult>(events[^1]);
            Assert.True(result.IsMainResult);
            Assert.Equal("42", result.Text);
            Assert.Equal("42", result.Summary);
            Assert.True(result.ExecutionCount > 0);
            Assert.Equal("python", context.Language);
            Assert.Equal(agent.DomainFor(protocol), context.Domain);

            SandboxCodeResult again = Assert.IsType<SandboxCodeResult>(Assert.Single(await RunAsync(client, new SandboxCodeRequest("value + 1") { ContextId = context.Id })));
            Assert.Equal("43", again.Text);
        });
    }

    [PythonKernelTheory, AllProtocols]
    public async Task An_exception_is_an_error_event_with_its_name_value_and_traceback(SandboxProtocol protocol)
    {
        using SandboxClient client = agent.CreateClient(protocol);
        List<SandboxCodeEvent> events = await RunAsync(client, new SandboxCodeRequest("def f():\n    return {}['missing']\nf()"));

        SandboxCodeError error = Assert.IsType<SandboxCodeError>(Assert.Single(events));
        Assert.Equal("KeyError", error.Name);
        Assert.Equal("'missing'", error.Value);
        Assert.Contains("return {}['missing']", error.Traceback);
        Assert.DoesNotContain("\u001b[", error.Traceback, StringComparison.Ordinal);
    }

    [PythonKernelTheory, AllProtocols]
    public async Task A_plot_is_a_display_with_a_png_and_a_chart_of_its_points(SandboxProtocol protocol)
    {
        using SandboxClient client = agent.CreateClient(protocol);
        List<SandboxCodeEvent> events = await RunAsync(client, new SandboxCodeRequest(
            "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3], [2, 4, 8], label='growth')\nplt.title('Growth')\nplt.xlabel('t')\nplt.ylabel('n')\nplt.show()"));

        SandboxCodeResult figure = Assert.IsType<SandboxCodeResult>(Assert.Single(events));
        Assert.False(figure.IsMainResult);
        Assert.NotNull(figure.Png);
        Assert.Matches(@"^<image/png \d+x\d+>$", figure.Summary);
        SandboxChart chart = Assert.IsType<SandboxChart>(figure.Chart);
        Assert.Equal("line", chart.Type);
        Assert.Equal("Growth", chart.Title);
        Assert.Equal("t", chart.XLabel);
        Assert.Equal("n", chart.YLabel);
        SandboxChartElement series = Assert.Single(chart.Elements);
        Assert.Equal("growth", series.Label);
        Assert.Equal(new object?[] { 1.0, 2.0, 3.0 }, series.Points!.Select(p => p.X));
        Assert.Equal(new object?[] { 2.0, 4.0, 8.0 }, chart.Rows.Select(r => r.Y));
    }

    [PythonKernelTheory, AllProtocols]
    public async Task A_passed_timeout_interrupts_the_code_and_the_context_keeps_its_state(SandboxProtocol protocol)
    {
        using SandboxClient client = agent.CreateClient(protocol);
        await InContextAsync(client, async context =>
        {
            await RunAsync(client, new SandboxCodeRequest("kept = 'yes'") { ContextId = context.Id });
            SandboxException timedOut = await Assert.ThrowsAsync<SandboxException>(() => RunAsync(client,
                new SandboxCodeRequest("import time\nwhile True: time.sleep(0.1)") { ContextId = context.Id, Timeout = TimeSpan.FromSeconds(2) }));
            Assert.Equal(SandboxErrorCode.DeadlineExceeded, timedOut.Code);
            Assert.Contains("keeps its state", timedOut.Message);

            SandboxCodeResult kept = Assert.IsType<SandboxCodeResult>(Assert.Single(await RunAsync(client, new SandboxCodeRequest("kept") { ContextId = context.Id })));
            Assert.Equal("yes", kept.Text);
        });
    }

    [PythonKernelTheory, AllProtocols]
    public async Task A_kernel_that_dies_is_the_agents_answer_not_a_cut_stream(SandboxProtocol protocol)
    {
        using SandboxClient client = agent.CreateClient(protocol);
        await InContextAsync(client, async context =>
        {
            var seen = new List<SandboxCodeEvent>();
            SandboxException died = await Assert.ThrowsAsync<SandboxException>(async () =>
            {
                await foreach (SandboxCodeEvent e in client.Code.ExecuteAsync(
                    new SandboxCodeRequest("import os, time\nprint('going', flush=True)\ntime.sleep(1)  # the kernel sends its output before it goes\nos._exit(3)") { ContextId = context.Id }))
                {
                    seen.Add(e);
                }
            });

            Assert.Equal("going\n", Assert.IsType<SandboxCodeOutput>(Assert.Single(seen)).Text);
            Assert.Equal(SandboxErrorCode.Aborted, died.Code);
            Assert.Contains("exited with code 3", died.ServerMessage);
            // Not the advice for a lost connection, which tells the state is kept.
            Assert.DoesNotContain("was cut", died.Message);
            Assert.DoesNotContain("keeps its state", died.Message);
        });
    }

    [PythonKernelTheory, AllProtocols]
    public async Task Cancelling_interrupts_the_code_and_the_context_goes_on(SandboxProtocol protocol)
    {
        using SandboxClient client = agent.CreateClient(protocol);
        await InContextAsync(client, async context =>
        {
            using var cancel = new CancellationTokenSource();
            var seen = new List<SandboxCodeEvent>();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            {
                await foreach (SandboxCodeEvent e in client.Code.ExecuteAsync(
                    new SandboxCodeRequest("import time\nprint('looping', flush=True)\nwhile True: time.sleep(0.1)") { ContextId = context.Id }, cancel.Token))
                {
                    seen.Add(e);
                    cancel.Cancel();
                }
            });
            Assert.Equal("looping\n", Assert.IsType<SandboxCodeOutput>(Assert.Single(seen)).Text);

            SandboxCodeResult after = Assert.IsType<SandboxCodeResult>(Assert.Single(await RunAsync(client, new SandboxCodeRequest("1 + 1") { ContextId = context.Id })));
            Assert.Equal("2", after.Text);
        });
    }

    [PythonKernelTheory, AllProtocols]
    public async Task A_removed_or_unknown_context_and_an_unserved_language_are_clear_errors(SandboxProtocol protocol)
    {
        using SandboxClient client = agent.CreateClient(protocol);
        SandboxCodeContext context = await client.Code.CreateContextAsync("bash");
        await client.Code.RemoveContextAsync(context.Id);

        SandboxException gone = await Assert.ThrowsAsync<SandboxException>(() => RunAsync(client, new SandboxCodeRequest("echo hi") { ContextId = context.Id }));
        Assert.Equal(SandboxErrorCode.NotFound, gone.Code);
        SandboxException twice = await Assert.ThrowsAsync<SandboxException>(() => client.Code.RemoveContextAsync(context.Id));
        Assert.Equal(SandboxErrorCode.NotFound, twice.Code);
        SandboxException unserved = await Assert.ThrowsAsync<SandboxException>(() => client.Code.CreateContextAsync("cobol"));
        Assert.Equal(SandboxErrorCode.FailedPrecondition, unserved.Code);
        Assert.Contains("cobol", unserved.Message);
    }

    [PythonKernelTheory, AllProtocols]
    public async Task Environment_variables_apply_to_one_execution(SandboxProtocol protocol)
    {
        using SandboxClient client = agent.CreateClient(protocol);
        var request = new SandboxCodeRequest("import os; os.environ.get('SBX_E2E', 'unset')");
        request.Environment["SBX_E2E"] = "set";
        Assert.Equal("set", Assert.IsType<SandboxCodeResult>(Assert.Single(await RunAsync(client, request))).Text);
        Assert.Equal("unset", Assert.IsType<SandboxCodeResult>(Assert.Single(await RunAsync(client,
            new SandboxCodeRequest("import os; os.environ.get('SBX_E2E', 'unset')")))).Text);
    }
}

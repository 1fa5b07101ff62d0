using ScaleBox.Sandbox.Client.Code;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Client.Watch;
using ScaleBox.Sandbox.Tests.Agent.Code;
using ScaleBox.Sandbox.Tests.EndToEnd.Processes;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.EndToEnd.Faults;

/// <summary>
/// The fault matrix's watch and code execution rows: an agent frozen (SIGSTOP), killed (SIGKILL) or
/// behind a half-open connection while a watch streams, a watcher is drained, or code runs. Every
/// case ends in an error that says what to do, within a bounded wait after the point where data was
/// overdue (two missed keepalives, or the session's timeout for a call): never a hang. The bounds
/// are generous; they prove "no hang", not a speed.
/// </summary>
public sealed class WatchAndCodeFaultTests
{
    static readonly TimeSpan Keepalive = TimeSpan.FromSeconds(1);
    static readonly TimeSpan Slack = TimeSpan.FromSeconds(10);

    /// <summary>Two missed keepalives and a second, then the bound.</summary>
    static TimeSpan StreamBound => Keepalive + Keepalive + TimeSpan.FromSeconds(1) + Slack;

    public enum Fault { Frozen, Killed, HalfOpen }

    public static TheoryData<SandboxProtocol, Fault> Cases()
    {
        var cases = new TheoryData<SandboxProtocol, Fault>();
        foreach (SandboxProtocol protocol in new[] { SandboxProtocol.GrpcWeb, SandboxProtocol.Grpc })
        {
            foreach (Fault fault in Enum.GetValues<Fault>())
            {
                cases.Add(protocol, fault);
            }
        }
        return cases;
    }

    /// <summary>A faulty agent, reached directly or (for a half-open connection) through a relay that can go silent.</summary>
    sealed class Scene : IAsyncDisposable
    {
        readonly TcpRelay? _relay;

        Scene(FaultyAgent agent, TcpRelay? relay, SandboxClient client, Fault fault)
        {
            Agent = agent;
            _relay = relay;
            Client = client;
            Fault = fault;
        }

        public FaultyAgent Agent { get; }
        public SandboxClient Client { get; }
        public Fault Fault { get; }

        public static async Task<Scene> StartAsync(SandboxProtocol protocol, Fault fault, TimeSpan? timeout = null)
        {
            FaultyAgent agent = await FaultyAgent.StartAsync();
            TcpRelay? relay = fault == Fault.HalfOpen ? new TcpRelay(agent.PortFor(protocol)) : null;
            SandboxClient client = FaultyAgent.Client(relay?.Port ?? agent.PortFor(protocol), protocol, timeout ?? TimeSpan.FromSeconds(5));
            return new Scene(agent, relay, client, fault);
        }

        public void Strike()
        {
            switch (Fault)
            {
                case Fault.Frozen: Agent.Freeze(); break;
                case Fault.Killed: Agent.Kill(); break;
                default: _relay!.Freeze(); break;
            }
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            Agent.Thaw();
            if (_relay is not null)
            {
                await _relay.DisposeAsync();
            }
            await Agent.DisposeAsync();
        }
    }

    static void AssertCodeFor(Fault fault, SandboxException error)
    {
        if (fault == Fault.Killed)
        {
            Assert.Contains(error.Code, new[] { SandboxErrorCode.Unavailable, SandboxErrorCode.Aborted, SandboxErrorCode.DeadlineExceeded });
        }
        else
        {
            Assert.Contains(error.Code, new[] { SandboxErrorCode.Unavailable, SandboxErrorCode.DeadlineExceeded });
        }
    }

    /// <summary>Reads on until the stream fails, each read within <paramref name="bound"/>; it never ends on its own here.</summary>
    static Task<SandboxException> ErrorOfAsync<T>(IAsyncEnumerator<T> events, TimeSpan bound) =>
        Assert.ThrowsAsync<SandboxException>(async () =>
        {
            while (await events.MoveNextAsync().AsTask().WaitAsync(bound))
            {
            }
            Assert.Fail("The stream ended without an error.");
        });

    [Theory, MemberData(nameof(Cases))]
    public async Task A_watch_stream_fails_and_says_to_watch_again_and_list_the_folder(SandboxProtocol protocol, Fault fault)
    {
        await using Scene scene = await Scene.StartAsync(protocol, fault);
        await scene.Agent.AnsweredOnceAsync(scene.Client); // a fresh agent's first answer is not what this is about
        var options = new SandboxWatchOptions { KeepaliveInterval = Keepalive };
        await using IAsyncEnumerator<SandboxWatchEvent> events = scene.Client.Watchers.WatchAsync(scene.Agent.Home, options).GetAsyncEnumerator();
        Assert.True(await events.MoveNextAsync());
        Assert.IsType<SandboxWatchStarted>(events.Current);

        scene.Strike();
        SandboxException error = await ErrorOfAsync(events, StreamBound);

        AssertCodeFor(fault, error);
        Assert.Contains(scene.Agent.Home, error.Message, StringComparison.Ordinal);
        Assert.Contains("watch the folder again", error.Message, StringComparison.Ordinal);
        Assert.Contains("list it", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SandboxProtocol.GrpcWeb)]
    [InlineData(SandboxProtocol.Grpc)]
    public async Task A_watch_start_has_the_sessions_timeout_even_when_the_silence_allowed_later_is_shorter(SandboxProtocol protocol)
    {
        // Keepalives every 1 s allow 3 s of silence once the watch runs; its start, the answer to
        // the request, is due within the session's 10 s, as any answer is.
        await using Scene scene = await Scene.StartAsync(protocol, Fault.Frozen, TimeSpan.FromSeconds(10));
        await scene.Agent.AnsweredOnceAsync(scene.Client); // its connection is up
        scene.Strike();
        var options = new SandboxWatchOptions { KeepaliveInterval = Keepalive };
        await using IAsyncEnumerator<SandboxWatchEvent> events = scene.Client.Watchers.WatchAsync(scene.Agent.Home, options).GetAsyncEnumerator();
        Task<bool> start = events.MoveNextAsync().AsTask();

        await Task.Delay(TimeSpan.FromSeconds(4.5)); // well past the 3 s, well short of the 10 s
        Assert.False(start.IsCompleted, start.IsFaulted ? start.Exception!.InnerException!.Message : "The watch started while the agent was frozen.");
        scene.Agent.Thaw();

        Assert.True(await start.WaitAsync(Slack));
        Assert.IsType<SandboxWatchStarted>(events.Current);
    }

    [Theory]
    [InlineData(SandboxProtocol.GrpcWeb)]
    [InlineData(SandboxProtocol.Grpc)]
    public async Task A_watch_the_agent_never_starts_fails_after_the_sessions_timeout_not_two_long_keepalive_intervals(SandboxProtocol protocol)
    {
        TimeSpan timeout = TimeSpan.FromSeconds(2);
        await using Scene scene = await Scene.StartAsync(protocol, Fault.Frozen, timeout);
        await scene.Agent.AnsweredOnceAsync(scene.Client);
        scene.Strike();
        // 61 s of silence would be allowed once the watch runs.
        var options = new SandboxWatchOptions { KeepaliveInterval = TimeSpan.FromSeconds(30) };
        await using IAsyncEnumerator<SandboxWatchEvent> events = scene.Client.Watchers.WatchAsync(scene.Agent.Home, options).GetAsyncEnumerator();

        var error = await Assert.ThrowsAsync<SandboxException>(() => events.MoveNextAsync().AsTask().WaitAsync(timeout + Slack));

        Assert.Equal(SandboxErrorCode.DeadlineExceeded, error.Code);
        Assert.Contains($"did not start the watch of '{scene.Agent.Home}' within the session's timeout of 2 s", error.Message, StringComparison.Ordinal);
        Assert.Contains("Watch the folder again once the agent answers", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reconnecting_watch_whose_agent_died_gives_up_after_its_attempts_and_says_to_watch_again()
    {
        await using Scene scene = await Scene.StartAsync(SandboxProtocol.GrpcWeb, Fault.Killed);
        var options = new SandboxWatchOptions
        {
            KeepaliveInterval = Keepalive,
            Reconnect = true,
            MaxReconnectAttempts = 2,
            FirstReconnectDelay = TimeSpan.FromMilliseconds(50),
        };
        await using IAsyncEnumerator<SandboxWatchEvent> events = scene.Client.Watchers.WatchAsync(scene.Agent.Home, options).GetAsyncEnumerator();
        Assert.True(await events.MoveNextAsync());

        scene.Strike();
        SandboxException error = await ErrorOfAsync(events, StreamBound);

        Assert.Equal(SandboxErrorCode.Unavailable, error.Code);
        Assert.Contains("after 2 failed attempts", error.Message, StringComparison.Ordinal);
        Assert.Contains("Watch the folder again", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Fault.Frozen)]
    [InlineData(Fault.Killed)]
    [InlineData(Fault.HalfOpen)]
    public async Task Draining_a_watcher_of_an_unresponsive_agent_fails_within_the_timeout_and_says_what_became_of_the_watcher(Fault fault)
    {
        TimeSpan timeout = TimeSpan.FromSeconds(2);
        await using Scene scene = await Scene.StartAsync(SandboxProtocol.GrpcWeb, fault, timeout);
        SandboxWatcher watcher = await scene.Client.Watchers.CreateAsync(scene.Agent.Home);
        Assert.Empty(await scene.Client.Watchers.GetEventsAsync(watcher));

        scene.Strike();
        var error = await Assert.ThrowsAsync<SandboxException>(() => scene.Client.Watchers.DrainAsync(watcher).WaitAsync(timeout + Slack));

        AssertCodeFor(fault, error);
        Assert.Contains("drain it again once the agent answers", error.Message, StringComparison.Ordinal);
        Assert.Contains("make a new one", error.Message, StringComparison.Ordinal);
    }

    [PythonKernelTheory, MemberData(nameof(Cases))]
    public async Task A_code_execution_fails_and_says_the_context_keeps_its_state(SandboxProtocol protocol, Fault fault)
    {
        await using Scene scene = await Scene.StartAsync(protocol, fault);
        SandboxCodeContext context = await scene.Client.Code.CreateContextAsync("python");
        var request = new SandboxCodeRequest("import time\nprint('computing', flush=True)\ntime.sleep(30)")
        {
            ContextId = context.Id,
            KeepaliveInterval = Keepalive,
        };
        await using IAsyncEnumerator<SandboxCodeEvent> events = scene.Client.Code.ExecuteAsync(request).GetAsyncEnumerator();
        Assert.True(await events.MoveNextAsync());
        Assert.IsType<SandboxCodeOutput>(events.Current);

        scene.Strike();
        SandboxException error = await ErrorOfAsync(events, StreamBound);

        AssertCodeFor(fault, error);
        Assert.Contains("context " + context.Id, error.Message, StringComparison.Ordinal);
        Assert.Contains("keeps its state", error.Message, StringComparison.Ordinal);
        Assert.Contains("run the next code", error.Message, StringComparison.Ordinal);
        if (fault != Fault.Killed)
        {
            Assert.Equal(SandboxErrorCode.DeadlineExceeded, error.Code);
            Assert.Contains("keepalive", error.Message, StringComparison.Ordinal);
        }
    }

    public static TheoryData<SandboxProtocol, Fault> Unresponsive()
    {
        var cases = new TheoryData<SandboxProtocol, Fault>();
        foreach (SandboxProtocol protocol in new[] { SandboxProtocol.GrpcWeb, SandboxProtocol.Grpc })
        {
            cases.Add(protocol, Fault.Frozen);
            cases.Add(protocol, Fault.HalfOpen);
        }
        return cases;
    }

    [PythonKernelTheory, MemberData(nameof(Unresponsive))]
    public async Task A_code_execution_an_unresponsive_agent_never_answers_fails_once_its_health_check_fails_too(SandboxProtocol protocol, Fault fault)
    {
        TimeSpan timeout = TimeSpan.FromSeconds(2);
        await using Scene scene = await Scene.StartAsync(protocol, fault, timeout);
        SandboxCodeContext context = await scene.Client.Code.CreateContextAsync("python");
        var request = new SandboxCodeRequest("1 + 1") { ContextId = context.Id, KeepaliveInterval = Keepalive };

        scene.Strike();
        await using IAsyncEnumerator<SandboxCodeEvent> events = scene.Client.Code.ExecuteAsync(request).GetAsyncEnumerator();
        // Overdue after the session's timeout, then at most five seconds for /health.
        SandboxException error = await ErrorOfAsync(events, timeout + TimeSpan.FromSeconds(5) + Slack);

        Assert.Equal(SandboxErrorCode.DeadlineExceeded, error.Code);
        Assert.Contains("did not answer the request to run code in context " + context.Id, error.Message, StringComparison.Ordinal);
        Assert.Contains("nor its health check", error.Message, StringComparison.Ordinal);
        Assert.Contains("keeps its state", error.Message, StringComparison.Ordinal);
    }

    [PythonKernelTheory, BothProtocols]
    public async Task An_answer_held_back_while_the_default_kernel_starts_is_waited_for_while_the_agent_answers_its_health_check(SandboxProtocol protocol)
    {
        // The local agent answers an Execute on the default context only once its kernel runs,
        // which takes longer than this session's timeout of half a second.
        await using FaultyAgent agent = await FaultyAgent.StartAsync();
        using SandboxClient client = FaultyAgent.Client(agent.PortFor(protocol), protocol, TimeSpan.FromMilliseconds(500));
        var request = new SandboxCodeRequest("6 * 7") { Language = "python", KeepaliveInterval = Keepalive };

        var events = new List<SandboxCodeEvent>();
        await foreach (SandboxCodeEvent e in client.Code.ExecuteAsync(request))
        {
            events.Add(e);
        }

        Assert.Equal("42", Assert.IsType<SandboxCodeResult>(Assert.Single(events)).Text);
    }

    [PythonKernelTheory, BothProtocols]
    public async Task A_kernel_computing_in_silence_longer_than_two_keepalives_is_not_taken_for_a_frozen_agent(SandboxProtocol protocol)
    {
        await using FaultyAgent agent = await FaultyAgent.StartAsync();
        using SandboxClient client = FaultyAgent.Client(agent.PortFor(protocol), protocol, TimeSpan.FromSeconds(5));
        SandboxCodeContext context = await client.Code.CreateContextAsync("python");
        var request = new SandboxCodeRequest("import time\ntime.sleep(5)\n6 * 7") { ContextId = context.Id, KeepaliveInterval = Keepalive };

        var events = new List<SandboxCodeEvent>();
        await foreach (SandboxCodeEvent e in client.Code.ExecuteAsync(request))
        {
            events.Add(e);
        }

        Assert.Equal("42", Assert.IsType<SandboxCodeResult>(Assert.Single(events)).Text);
    }
}

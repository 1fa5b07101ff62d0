using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Processes;
using ScaleBox.Sandbox.Client.Transfer;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Tests.EndToEnd.Processes;
using ScaleBox.Sandbox.Tests.EndToEnd.Transfer;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.EndToEnd.Faults;

/// <summary>
/// The fault matrix: an agent frozen (SIGSTOP), killed (SIGKILL) or behind a half-open connection
/// while a process stream or a download runs. Every case ends in an error that says what to do, and
/// arrives within a bounded wait after the point where data was overdue: never a hang. The bounds
/// are generous (overdue + 10 s); they prove "no hang", not a speed.
/// </summary>
public sealed class AgentFaultTests : IDisposable
{
    static readonly TimeSpan Keepalive = TimeSpan.FromSeconds(1);
    static readonly TimeSpan Slack = TimeSpan.FromSeconds(10);

    readonly TransferFiles _files = new();

    public void Dispose() => _files.Dispose();

    static SandboxProcessStartInfo Quiet()
    {
        SandboxProcessStartInfo info = SandboxProcessStartInfo.ForCommand("sleep 20");
        info.KeepaliveInterval = Keepalive;
        return info;
    }

    /// <summary>Two missed keepalives, then the bound.</summary>
    static TimeSpan ProcessBound => Keepalive + Keepalive + Slack;

    static async Task<uint> StartedAsync(IAsyncEnumerator<SandboxProcessEvent> events)
    {
        Assert.True(await events.MoveNextAsync());
        return Assert.IsType<SandboxProcessStarted>(events.Current).Pid;
    }

    /// <summary>Reads on until the stream fails, each read within <see cref="ProcessBound"/>; it never ends with an exit here.</summary>
    static Task<SandboxException> ErrorOfAsync(IAsyncEnumerator<SandboxProcessEvent> events) =>
        Assert.ThrowsAsync<SandboxException>(async () =>
        {
            while (await events.MoveNextAsync().AsTask().WaitAsync(ProcessBound))
            {
                Assert.IsNotType<SandboxProcessExit>(events.Current);
            }
        });

    [Theory, BothProtocols]
    public async Task A_process_stream_from_a_frozen_agent_fails_and_says_to_reattach_by_pid(SandboxProtocol protocol)
    {
        await using FaultyAgent agent = await FaultyAgent.StartAsync();
        using SandboxClient client = FaultyAgent.Client(agent.PortFor(protocol), protocol, TimeSpan.FromSeconds(5));
        await using IAsyncEnumerator<SandboxProcessEvent> events = client.Processes.StartAsync(Quiet()).GetAsyncEnumerator();
        uint pid = await StartedAsync(events);

        agent.Freeze();
        try
        {
            SandboxException error = await ErrorOfAsync(events);

            Assert.Equal(SandboxErrorCode.DeadlineExceeded, error.Code);
            Assert.Contains($"reattach to it by pid {pid}", error.Message, StringComparison.Ordinal);
            Assert.Contains("keepalive", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            agent.Thaw();
        }
    }

    /// <summary>Freezes the agent, opens a stream and reads its first event, which must fail within the session's timeout and the bound.</summary>
    static async Task<SandboxException> FirstReadAtFrozenAgentAsync(FaultyAgent agent, TimeSpan timeout, Func<IAsyncEnumerable<SandboxProcessEvent>> open)
    {
        agent.Freeze();
        try
        {
            await using IAsyncEnumerator<SandboxProcessEvent> events = open().GetAsyncEnumerator();
            return await Assert.ThrowsAsync<SandboxException>(() => events.MoveNextAsync().AsTask().WaitAsync(timeout + Slack));
        }
        finally
        {
            agent.Thaw();
        }
    }

    [Theory, BothProtocols]
    public async Task A_process_start_at_a_frozen_agent_fails_after_the_sessions_timeout_not_two_long_keepalive_intervals(SandboxProtocol protocol)
    {
        TimeSpan timeout = TimeSpan.FromSeconds(2);
        await using FaultyAgent agent = await FaultyAgent.StartAsync();
        using SandboxClient client = FaultyAgent.Client(agent.PortFor(protocol), protocol, timeout);
        await agent.AnsweredOnceAsync(client); // its connection is up
        // 61 s of silence would be allowed once the process runs.
        SandboxProcessStartInfo info = SandboxProcessStartInfo.ForCommand("sleep 20");
        info.KeepaliveInterval = TimeSpan.FromSeconds(30);

        SandboxException error = await FirstReadAtFrozenAgentAsync(agent, timeout, () => client.Processes.StartAsync(info));

        Assert.Equal(SandboxErrorCode.DeadlineExceeded, error.Code);
        Assert.Contains($"did not answer the request to start process '{info.CommandLine}' within the session's timeout of 2 s", error.Message, StringComparison.Ordinal);
    }

    [Theory, BothProtocols]
    public async Task An_attach_at_a_frozen_agent_fails_after_the_sessions_timeout(SandboxProtocol protocol)
    {
        TimeSpan timeout = TimeSpan.FromSeconds(2);
        await using FaultyAgent agent = await FaultyAgent.StartAsync();
        using SandboxClient client = FaultyAgent.Client(agent.PortFor(protocol), protocol, timeout);
        await using IAsyncEnumerator<SandboxProcessEvent> running = client.Processes.StartAsync(Quiet()).GetAsyncEnumerator();
        uint pid = await StartedAsync(running);

        SandboxException error = await FirstReadAtFrozenAgentAsync(agent, timeout, () => client.Processes.ConnectAsync(SandboxProcessSelector.ByPid(pid)));

        Assert.Equal(SandboxErrorCode.DeadlineExceeded, error.Code);
        Assert.Contains($"did not answer the request to attach to process 'pid {pid}' within the session's timeout of 2 s", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Over_http2_a_connection_gone_silent_is_dropped_and_the_next_calls_get_through_on_a_new_one()
    {
        await using FaultyAgent agent = await FaultyAgent.StartAsync();
        await using var relay = new TcpRelay(agent.PortFor(SandboxProtocol.Grpc));
        using SandboxClient client = FaultyAgent.Client(relay.Port, SandboxProtocol.Grpc, TimeSpan.FromSeconds(2));
        await agent.AnsweredOnceAsync(client);
        // One connection, or more if a first call ran out of the short timeout on a loaded machine
        // before it was up and was made again: the calls after the freeze go on what is there.
        int connectionsBefore = relay.ConnectionCount;
        Assert.True(connectionsBefore >= 1, "the first answer came through the relay");

        relay.FreezeCarried();
        // Every call shares the one HTTP/2 connection: each waits out its deadline there until the
        // connection's ping (after 10 s without a frame) goes 10 s unanswered and drops it.
        DateTime giveUp = DateTime.UtcNow + TimeSpan.FromSeconds(10 + 10) + Slack;
        var failures = new List<SandboxException>();
        while (true)
        {
            try
            {
                await client.Files.GetItemAsync(agent.Home);
                break;
            }
            catch (SandboxException e) when (DateTime.UtcNow < giveUp)
            {
                failures.Add(e);
            }
        }

        Assert.NotEmpty(failures); // the first calls after the freeze went on the silent connection
        Assert.All(failures, e => Assert.Contains(e.Code, new[] { SandboxErrorCode.DeadlineExceeded, SandboxErrorCode.Unavailable }));
        SandboxException? dropped = failures.Find(e => e.Code == SandboxErrorCode.Unavailable);
        if (dropped is not null)
        {
            Assert.Contains("stopped answering", dropped.Message, StringComparison.Ordinal);
        }
        Assert.True(relay.ConnectionCount > connectionsBefore, "the call that got through went on a new connection");
    }

    [Theory, BothProtocols]
    public async Task A_process_stream_over_a_half_open_connection_fails_instead_of_hanging(SandboxProtocol protocol)
    {
        await using FaultyAgent agent = await FaultyAgent.StartAsync();
        await using var relay = new TcpRelay(agent.PortFor(protocol));
        using SandboxClient client = FaultyAgent.Client(relay.Port, protocol, TimeSpan.FromSeconds(5));
        await using IAsyncEnumerator<SandboxProcessEvent> events = client.Processes.StartAsync(Quiet()).GetAsyncEnumerator();
        uint pid = await StartedAsync(events);

        relay.Freeze();
        SandboxException error = await ErrorOfAsync(events);

        Assert.Equal(SandboxErrorCode.DeadlineExceeded, error.Code);
        Assert.Contains($"pid {pid}", error.Message, StringComparison.Ordinal);
        // The agent itself is fine: the process still runs there, and can be found directly.
        using SandboxClient direct = FaultyAgent.Client(agent.PortFor(protocol), protocol, TimeSpan.FromSeconds(5));
        Assert.Contains(await direct.Processes.ListAsync(), p => p.Pid == pid);
    }

    [Theory, BothProtocols]
    public async Task A_process_stream_from_a_killed_agent_fails_and_names_the_pid(SandboxProtocol protocol)
    {
        await using FaultyAgent agent = await FaultyAgent.StartAsync();
        using SandboxClient client = FaultyAgent.Client(agent.PortFor(protocol), protocol, TimeSpan.FromSeconds(5));
        await using IAsyncEnumerator<SandboxProcessEvent> events = client.Processes.StartAsync(Quiet()).GetAsyncEnumerator();
        uint pid = await StartedAsync(events);

        agent.Kill();
        SandboxException error = await ErrorOfAsync(events);

        Assert.Contains(error.Code, new[] { SandboxErrorCode.Unavailable, SandboxErrorCode.Aborted, SandboxErrorCode.DeadlineExceeded });
        Assert.Contains($"pid {pid}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_download_from_an_agent_frozen_mid_body_fails_soon_after_one_idle_period_and_says_to_run_it_again()
    {
        TimeSpan idle = TimeSpan.FromSeconds(2);
        await using FaultyAgent agent = await FaultyAgent.StartAsync();
        string remote = Sparse(Path.Combine(agent.Home, "frozen.bin"));
        using SandboxClient client = FaultyAgent.Client(agent.HttpPort, SandboxProtocol.GrpcWeb, idle);
        await using var sink = new SignallingStream(afterBytes: 1024 * 1024, agent.Freeze);
        try
        {
            var error = await Assert.ThrowsAsync<SandboxException>(() =>
                client.Transfer.DownloadAsync(remote, sink).WaitAsync(idle + ResumableDownloadLimit + Slack));

            Assert.True(sink.Fired);
            Assert.Equal(SandboxErrorCode.DeadlineExceeded, error.Code);
            Assert.Contains("run the copy again", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("gave up after", error.Message, StringComparison.Ordinal); // one short attempt, not the whole budget
        }
        finally
        {
            agent.Thaw();
        }
    }

    [Fact]
    public async Task A_download_over_a_connection_that_goes_half_open_mid_body_fails_and_says_to_run_it_again()
    {
        TimeSpan idle = TimeSpan.FromSeconds(2);
        await using FaultyAgent agent = await FaultyAgent.StartAsync();
        string remote = Sparse(Path.Combine(agent.Home, "half-open.bin"));
        await using var relay = new TcpRelay(agent.HttpPort);
        using SandboxClient client = FaultyAgent.Client(relay.Port, SandboxProtocol.GrpcWeb, idle);
        await using var sink = new SignallingStream(afterBytes: 1024 * 1024, relay.Freeze);

        var error = await Assert.ThrowsAsync<SandboxException>(() =>
            client.Transfer.DownloadAsync(remote, sink).WaitAsync(idle + ResumableDownloadLimit + Slack));

        Assert.True(sink.Fired);
        Assert.Equal(SandboxErrorCode.DeadlineExceeded, error.Code);
        Assert.Contains("run the copy again", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_download_from_an_agent_killed_mid_body_gives_up_at_the_refused_connection_and_says_to_run_it_again()
    {
        await using FaultyAgent agent = await FaultyAgent.StartAsync();
        string remote = Sparse(Path.Combine(agent.Home, "killed.bin"));
        using SandboxClient client = FaultyAgent.Client(agent.HttpPort, SandboxProtocol.GrpcWeb, TimeSpan.FromSeconds(5));
        await using var sink = new SignallingStream(afterBytes: 1024 * 1024, agent.Kill);

        var error = await Assert.ThrowsAsync<SandboxException>(() =>
            client.Transfer.DownloadAsync(remote, sink, new SandboxDownloadOptions { MaxResumeAttempts = 50 }).WaitAsync(Slack));

        Assert.True(sink.Fired);
        Assert.Equal(SandboxErrorCode.Unavailable, error.Code);
        Assert.Contains("refused", error.Message, StringComparison.Ordinal);
        Assert.Contains("run the copy again", error.Message, StringComparison.Ordinal);
    }

    static TimeSpan ResumableDownloadLimit => TimeSpan.FromSeconds(4);

    [Theory]
    [InlineData("frozen")]
    [InlineData("killed")]
    public async Task An_upload_to_an_agent_that_freezes_or_dies_fails_leaves_nothing_and_says_to_run_it_again(string fault)
    {
        TimeSpan idle = TimeSpan.FromSeconds(2);
        await using FaultyAgent agent = await FaultyAgent.StartAsync();
        string folder = Directory.CreateDirectory(Path.Combine(agent.Home, "up")).FullName;
        string remote = Path.Combine(folder, "big.bin");
        using SandboxClient client = FaultyAgent.Client(agent.HttpPort, SandboxProtocol.GrpcWeb, idle);
        await using var source = new SignallingSource(128L * 1024 * 1024, afterBytes: 4 * 1024 * 1024, fault == "frozen" ? agent.Freeze : agent.Kill);
        try
        {
            var error = await Assert.ThrowsAsync<SandboxException>(() =>
                client.Transfer.UploadAsync(source, remote).WaitAsync(idle + Slack));

            Assert.True(source.Fired);
            Assert.Equal(fault == "frozen" ? SandboxErrorCode.DeadlineExceeded : SandboxErrorCode.Unavailable, error.Code);
            Assert.Contains("run the copy again", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            agent.Thaw();
        }
        Assert.False(File.Exists(remote));
        if (fault == "frozen")
        {
            // Thawed, the agent notices the client went away and removes its staging file.
            Assert.True(await Eventually.TrueAsync(() => Directory.GetFileSystemEntries(folder).Length == 0),
                $"left behind: {string.Join(", ", Directory.GetFileSystemEntries(folder))}");
        }
    }

    /// <summary>A readable stream of zeros that runs <c>fault</c> once, after <c>afterBytes</c> were read from it.</summary>
    sealed class SignallingSource(long length, long afterBytes, Action fault) : Stream
    {
        long _position;

        public bool Fired { get; private set; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = (int)Math.Min(count, length - _position);
            Array.Clear(buffer, offset, n);
            _position += n;
            if (!Fired && _position >= afterBytes)
            {
                Fired = true;
                fault();
            }
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A file far larger than the socket buffers between client and agent, that costs no disk.</summary>
    static string Sparse(string path)
    {
        using FileStream file = File.Create(path);
        file.SetLength(128L * 1024 * 1024);
        return path;
    }

    /// <summary>A write-only sink that runs <c>fault</c> once, after it has received <c>afterBytes</c>: the moment to hurt the agent.</summary>
    sealed class SignallingStream(long afterBytes, Action fault) : Stream
    {
        long _received;

        public bool Fired { get; private set; }

        public override void Write(byte[] buffer, int offset, int count) => Received(count);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Received(count);
            return Task.CompletedTask;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Received(buffer.Length);
            return ValueTask.CompletedTask;
        }

        void Received(int count)
        {
            _received += count;
            if (!Fired && _received >= afterBytes)
            {
                Fired = true;
                fault();
            }
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _received;
        public override long Position { get => _received; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}

using Grpc.Core;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Processes;
using ScaleBox.Sandbox.Client.Transport;
using static ScaleBox.Sandbox.Tests.Client.Processes.ClientWire;

namespace ScaleBox.Sandbox.Tests.Client.Processes;

/// <summary>
/// How a process stream is read, on scripted streams: the event order, keepalives swallowed, text
/// decoded per stream, and above all what the caller is told when the stream does not reach the
/// end event (a cut after the start names the pid; a timeout says the process was killed).
/// </summary>
public sealed class ProcessEventStreamTests
{
    const string Token = "tok-7f3a9c2e5b1d";
    static readonly ErrorTranslator Errors = new(SandboxEndpoint.Parse("127.0.0.1:49983"), new AccessToken(Token));

    // Without a session timeout unless one is given: the start is then left to the silence allowance.
    static ProcessEventStream Stream(bool decode = true, TimeSpan? timeout = null, DateTime? deadline = null, int keepaliveSeconds = 50,
        TimeSpan? sessionTimeout = null) =>
        new(Errors, "127.0.0.1:49983", "start process", "/bin/bash -l -c 'make test'", decode, timeout, deadline, TimeSpan.FromSeconds(5),
            TimeSpan.FromSeconds(keepaliveSeconds), sessionTimeout ?? Timeout.InfiniteTimeSpan);

    [Fact]
    public async Task Silence_for_two_keepalive_intervals_after_the_start_fails_and_says_to_reattach_by_pid()
    {
        var error = await Assert.ThrowsAsync<SandboxException>(() =>
            ReadAllAsync(Stream(keepaliveSeconds: 1), [Start(42), Keepalive(), Stdout("x"), Silence.Forever]).WaitAsync(TimeSpan.FromSeconds(15)));

        Assert.Equal(SandboxErrorCode.DeadlineExceeded, error.Code);
        Assert.Contains("reattach to it by pid 42", error.Message, StringComparison.Ordinal);
        Assert.Contains("not even a keepalive (due every 1 s), arrived for 3 s", error.Message, StringComparison.Ordinal);
        Assert.Equal("pid 42", error.Target);
    }

    [Fact]
    public async Task Silence_before_the_start_fails_and_says_the_start_is_unknown()
    {
        var error = await Assert.ThrowsAsync<SandboxException>(() =>
            ReadAllAsync(Stream(keepaliveSeconds: 1), [Silence.Forever]).WaitAsync(TimeSpan.FromSeconds(15)));

        Assert.Equal(SandboxErrorCode.DeadlineExceeded, error.Code);
        Assert.Contains("whether a process was started is unknown", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_start_that_does_not_come_within_the_sessions_timeout_fails_then_not_after_two_keepalive_intervals()
    {
        // 61 s of silence would be allowed once the process runs.
        Task<List<SandboxProcessEvent>> read = ReadAllAsync(Stream(keepaliveSeconds: 30, sessionTimeout: TimeSpan.FromSeconds(1)), [Silence.Forever]);

        var error = await Assert.ThrowsAsync<SandboxException>(() => read.WaitAsync(TimeSpan.FromSeconds(15)));

        Assert.Equal(SandboxErrorCode.DeadlineExceeded, error.Code);
        Assert.Contains("did not answer the request to start process '/bin/bash -l -c 'make test'' within the session's timeout of 1 s",
            error.Message, StringComparison.Ordinal);
        Assert.Contains("whether a process was started is unknown", error.Message, StringComparison.Ordinal);
        Assert.Equal("/bin/bash -l -c 'make test'", error.Target);
    }

    [Fact]
    public async Task Once_started_a_stream_may_be_silent_for_longer_than_the_sessions_timeout()
    {
        // Gaps of 2.5 s: past the 1 s session timeout, within the 5 s silence limit of 2 s keepalives.
        List<SandboxProcessEvent> events = await ReadAllAsync(Stream(keepaliveSeconds: 2, sessionTimeout: TimeSpan.FromSeconds(1)),
            [Start(7), new Pause(TimeSpan.FromMilliseconds(2500)), Keepalive(), new Pause(TimeSpan.FromMilliseconds(2500)), End(0, true, "exit status 0")])
            .WaitAsync(TimeSpan.FromSeconds(30));

        Assert.IsType<SandboxProcessStarted>(events[0]);
        Assert.True(Assert.IsType<SandboxProcessExit>(events[^1]).Succeeded);
    }

    [Fact]
    public async Task Keepalives_keep_a_quiet_stream_alive()
    {
        // Five keepalives 1.2 s apart: more than the 5 s silence limit in all, which a watchdog that
        // ignored them would trip, while each gap leaves the limit room for a thread pool slowed by
        // the tests running beside this one (gaps of half the limit were once too close).
        var script = new List<object> { Start(7) };
        for (int i = 0; i < 5; i++)
        {
            script.Add(new Pause(TimeSpan.FromMilliseconds(1200)));
            script.Add(Keepalive());
        }
        script.Add(End(0, true, "exit status 0"));

        List<SandboxProcessEvent> events = await ReadAllAsync(Stream(keepaliveSeconds: 2), script).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.IsType<SandboxProcessExit>(events[^1]);
    }

    [Fact]
    public async Task Start_output_and_exit_come_in_order_and_keepalives_never_surface()
    {
        List<SandboxProcessEvent> events = await ReadAllAsync(Stream(),
            [Keepalive(), Start(42), Keepalive(), Stdout("out"), Stderr("err"), Keepalive(), Stdout("more"), End(0, true, "exit status 0")]);

        Assert.Collection(events,
            e => Assert.Equal(42u, Assert.IsType<SandboxProcessStarted>(e).Pid),
            e => AssertOutput(e, SandboxProcessStream.Stdout, "out"),
            e => AssertOutput(e, SandboxProcessStream.Stderr, "err"),
            e => AssertOutput(e, SandboxProcessStream.Stdout, "more"),
            e =>
            {
                var exit = Assert.IsType<SandboxProcessExit>(e);
                Assert.Equal(42u, exit.Pid);
                Assert.Equal(0, exit.ExitCode);
                Assert.True(exit.Exited);
                Assert.Equal("exit status 0", exit.Status);
                Assert.Null(exit.Error);
                Assert.True(exit.Succeeded);
            });
    }

    [Fact]
    public async Task The_end_event_carries_code_status_and_error()
    {
        List<SandboxProcessEvent> events = await ReadAllAsync(Stream(), [Start(5), End(-1, false, "signal: killed", "signal: killed")]);

        var exit = Assert.IsType<SandboxProcessExit>(events[^1]);
        Assert.Equal(-1, exit.ExitCode);
        Assert.False(exit.Exited);
        Assert.Equal("signal: killed", exit.Error);
        Assert.False(exit.Succeeded);
    }

    [Fact]
    public async Task A_character_split_across_chunks_is_whole_and_streams_decode_separately()
    {
        // "€" is E2 82 AC; "é" is C3 A9. Stdout and stderr each hold back their own partial bytes.
        List<SandboxProcessEvent> events = await ReadAllAsync(Stream(),
            [Start(1), Stdout(0x61, 0xE2), Stderr("x"), Stdout(0x82), Stdout(0xAC, 0xC3), Stdout(0xA9, 0x0A), End(0, true, "exit status 0")]);

        SandboxProcessOutput[] stdout = events.OfType<SandboxProcessOutput>().Where(o => o.Stream == SandboxProcessStream.Stdout).ToArray();
        Assert.Equal(["a", "", "€", "é\n"], stdout.Select(o => o.Text));
        Assert.Equal(new byte[] { 0x61, 0xE2, 0x82, 0xAC, 0xC3, 0xA9, 0x0A }, stdout.SelectMany(o => o.Bytes));
        Assert.DoesNotContain(events.OfType<SandboxProcessOutput>(), o => o.Text.Contains('\uFFFD'));
    }

    [Fact]
    public async Task Bytes_held_when_the_process_ends_arrive_as_a_replacement_character_before_the_exit()
    {
        List<SandboxProcessEvent> events = await ReadAllAsync(Stream(), [Start(1), Stdout(0x61, 0xF0, 0x9F), End(0, true, "exit status 0")]);

        Assert.Collection(events,
            e => Assert.IsType<SandboxProcessStarted>(e),
            e => AssertOutput(e, SandboxProcessStream.Stdout, "a"),
            e =>
            {
                AssertOutput(e, SandboxProcessStream.Stdout, "\uFFFD");
                Assert.Empty(((SandboxProcessOutput)e).Bytes);
            },
            e => Assert.IsType<SandboxProcessExit>(e));
    }

    [Fact]
    public async Task Terminal_output_is_its_own_stream()
    {
        List<SandboxProcessEvent> events = await ReadAllAsync(Stream(), [Start(1), Pty("$ ls\r\n"), End(0, true, "exit status 0")]);

        AssertOutput(events[1], SandboxProcessStream.Pty, "$ ls\r\n");
    }

    [Fact]
    public async Task Without_decoding_the_bytes_still_come_and_the_text_is_empty()
    {
        List<SandboxProcessEvent> events = await ReadAllAsync(Stream(decode: false), [Start(1), Stdout("abc"), End(0, true, "exit status 0")]);

        var output = Assert.IsType<SandboxProcessOutput>(events[1]);
        Assert.Equal("abc"u8.ToArray(), output.Bytes);
        Assert.Equal("", output.Text);
    }

    [Theory]
    [InlineData(StatusCode.Unavailable)]
    [InlineData(StatusCode.Internal)]
    [InlineData(StatusCode.Unknown)]
    [InlineData(StatusCode.Cancelled)]
    public async Task A_stream_cut_after_the_start_says_so_and_names_the_pid(StatusCode status)
    {
        var cut = new RpcException(new Status(status, "Error reading next message. IOException: connection reset"));

        var error = await Assert.ThrowsAsync<SandboxException>(() => ReadAllAsync(Stream(), [Start(4711), Stdout("partial"), cut]));

        Assert.Equal(SandboxErrorCode.Unavailable, error.Code);
        Assert.Equal("pid 4711", error.Target);
        Assert.Contains("pid 4711", error.Message);
        Assert.Contains("cut", error.Message);
        Assert.Contains("may still be running", error.Message);
        Assert.Contains("connection reset", error.Message);
        Assert.Equal("127.0.0.1:49983", error.Domain);
    }

    [Fact]
    public async Task A_stream_that_ends_cleanly_without_an_end_event_is_aborted_and_names_the_pid()
    {
        var error = await Assert.ThrowsAsync<SandboxException>(() => ReadAllAsync(Stream(), [Start(99), Stdout("x"), Keepalive()]));

        Assert.Equal(SandboxErrorCode.Aborted, error.Code);
        Assert.Equal("pid 99", error.Target);
        Assert.Contains("pid 99", error.Message);
        Assert.Contains("may still be running", error.Message);
    }

    [Fact]
    public async Task A_stream_without_any_event_is_aborted_without_a_pid()
    {
        var error = await Assert.ThrowsAsync<SandboxException>(() => ReadAllAsync(Stream(), []));

        Assert.Equal(SandboxErrorCode.Aborted, error.Code);
        Assert.Contains("without a start event", error.Message);
        Assert.Equal("/bin/bash -l -c 'make test'", error.Target);
    }

    [Fact]
    public async Task An_error_before_the_start_goes_through_the_translator_with_the_agents_words()
    {
        var refused = new RpcException(new Status(StatusCode.InvalidArgument, "cwd '/nope' does not exist"));

        var error = await Assert.ThrowsAsync<SandboxException>(() => ReadAllAsync(Stream(), [refused]));

        Assert.Equal(SandboxErrorCode.InvalidArgument, error.Code);
        Assert.Equal("cwd '/nope' does not exist", error.ServerMessage);
        Assert.Contains("cwd '/nope' does not exist", error.Message);
        Assert.Equal("/bin/bash -l -c 'make test'", error.Target);
    }

    [Fact]
    public async Task The_token_never_appears_in_a_cut_stream_error()
    {
        var cut = new RpcException(new Status(StatusCode.Unavailable, $"proxy said: bad header X-Access-Token: {Token}"));

        var error = await Assert.ThrowsAsync<SandboxException>(() => ReadAllAsync(Stream(), [Start(1), cut]));

        Assert.DoesNotContain(Token, error.ToString());
        Assert.Contains(AccessToken.Mask, error.Message);
    }

    [Fact]
    public async Task A_deadline_from_the_timeout_says_the_process_was_killed_at_its_timeout()
    {
        var expired = new RpcException(new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded"));
        ProcessEventStream stream = Stream(timeout: TimeSpan.FromSeconds(2), deadline: DateTime.UtcNow);

        var error = await Assert.ThrowsAsync<SandboxException>(() => ReadAllAsync(stream, [Start(12), expired]));

        Assert.Equal(SandboxErrorCode.DeadlineExceeded, error.Code);
        Assert.Equal("pid 12", error.Target);
        Assert.Contains("timeout of 2 s", error.Message);
        Assert.Contains("killed", error.Message);
        Assert.DoesNotContain("Raise the session's timeout", error.Message);
    }

    [Fact]
    public async Task A_kill_reported_after_the_deadline_of_a_timeout_is_the_same_timeout_error()
    {
        ProcessEventStream stream = Stream(timeout: TimeSpan.FromSeconds(1), deadline: DateTime.UtcNow.AddSeconds(-1));

        var error = await Assert.ThrowsAsync<SandboxException>(() => ReadAllAsync(stream, [Start(12), End(-1, false, "signal: killed", "signal: killed")]));

        Assert.Equal(SandboxErrorCode.DeadlineExceeded, error.Code);
        Assert.Contains("signal: killed", error.Message);
    }

    [Fact]
    public async Task A_normal_exit_after_the_deadline_is_still_an_exit()
    {
        ProcessEventStream stream = Stream(timeout: TimeSpan.FromSeconds(1), deadline: DateTime.UtcNow.AddSeconds(-1));

        List<SandboxProcessEvent> events = await ReadAllAsync(stream, [Start(12), End(0, true, "exit status 0")]);

        Assert.True(Assert.IsType<SandboxProcessExit>(events[^1]).Succeeded);
    }

    [Fact]
    public async Task After_the_end_event_the_call_is_drained_before_the_exit_is_handed_out()
    {
        var probe = new ScriptedReaderProbe();

        await ReadAllAsync(Stream(), [Start(1), End(0, true, "exit status 0"), Keepalive()], probe);

        Assert.True(probe.ReachedEnd);
    }

    [Fact]
    public async Task A_transport_error_after_the_end_event_does_not_spoil_the_exit()
    {
        var late = new RpcException(new Status(StatusCode.Unavailable, "reset"));

        List<SandboxProcessEvent> events = await ReadAllAsync(Stream(), [Start(1), End(3, true, "exit status 3", "exit status 3"), late]);

        Assert.Equal(3, Assert.IsType<SandboxProcessExit>(events[^1]).ExitCode);
    }

    [Fact]
    public async Task Cancelling_is_an_OperationCanceledException_that_says_the_process_keeps_running()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ReadAllAsync(Stream(), [Start(1)], cancellationToken: cancelled.Token));

        Assert.Equal(cancelled.Token, error.CancellationToken);
        Assert.Contains("keeps running", error.Message);
    }

    [Fact]
    public async Task Output_before_the_start_event_is_a_protocol_error()
    {
        var error = await Assert.ThrowsAsync<SandboxException>(() => ReadAllAsync(Stream(), [Stdout("x")]));

        Assert.Equal(SandboxErrorCode.Internal, error.Code);
        Assert.Contains("before the start event", error.Message);
    }

    [Fact]
    public void The_translator_ignores_a_repeated_start_of_the_same_pid_but_not_another_pid()
    {
        var translator = new ProcessEventTranslator();
        var events = new List<SandboxProcessEvent>();

        Translate(translator, Start(3), events);
        Translate(translator, Start(3), events);

        Assert.Single(events);
        Assert.Throws<SandboxException>(() => Translate(translator, Start(4), events));
    }

    static void AssertOutput(SandboxProcessEvent e, SandboxProcessStream stream, string text)
    {
        var output = Assert.IsType<SandboxProcessOutput>(e);
        Assert.Equal(stream, output.Stream);
        Assert.Equal(text, output.Text);
        Assert.Equal(text, output.ToString());
    }
}

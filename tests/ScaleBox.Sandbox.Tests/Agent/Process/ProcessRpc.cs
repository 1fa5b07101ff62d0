using System.Net;
using System.Text;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Web;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Protocol;
using ScaleBox.Sandbox.Tests.Infrastructure;
using ProcessClient = ScaleBox.Sandbox.Protocol.Process.ProcessClient;

namespace ScaleBox.Sandbox.Tests.Agent.Processes;

/// <summary>
/// A raw generated Process client on a real channel to the in-process agent: gRPC-Web over HTTP/1.1
/// or gRPC over HTTP/2, with the auth headers the official SDKs send. Every Start gets a deadline by
/// default, so that a failing test cannot leave a child running for long.
/// </summary>
sealed class ProcessRpc : IDisposable
{
    /// <summary>Bounds every wait in these tests: a hang fails the test instead of stalling the run.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    readonly GrpcChannel _channel;
    readonly LocalAgentFixture _agent;
    readonly List<uint> _started = [];

    public ProcessRpc(LocalAgentFixture agent, SandboxProtocol protocol)
    {
        _agent = agent;
        Protocol = protocol;
        var options = new GrpcChannelOptions { MaxReceiveMessageSize = 64 * 1024 * 1024 };
        Uri address;
        if (protocol == SandboxProtocol.GrpcWeb)
        {
            options.HttpHandler = new GrpcWebHandler(GrpcWebMode.GrpcWeb, new SocketsHttpHandler());
            options.HttpVersion = HttpVersion.Version11;
            address = agent.HttpAddress;
        }
        else
        {
            options.HttpHandler = new SocketsHttpHandler();
            options.HttpVersion = HttpVersion.Version20;
            address = agent.Http2Address;
        }
        _channel = GrpcChannel.ForAddress(address, options);
        Client = new ProcessClient(_channel);
    }

    public SandboxProtocol Protocol { get; }

    /// <summary>The channel, for clients of the agent's other services.</summary>
    public GrpcChannel Channel => _channel;

    public ProcessClient Client { get; }

    public string Home => _agent.Home;

    public Metadata Headers(int? keepaliveSeconds = null)
    {
        var headers = new Metadata
        {
            { "Authorization", "Bearer root" },
            { "X-Access-Token", _agent.AccessToken },
        };
        if (keepaliveSeconds is { } seconds)
        {
            headers.Add("Keepalive-Ping-Interval", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        return headers;
    }

    public CallOptions Options(TimeSpan? deadline = null, int? keepaliveSeconds = null, CancellationToken cancellationToken = default) =>
        new(Headers(keepaliveSeconds), deadline is { } d ? DateTime.UtcNow + d : null, cancellationToken);

    /// <summary><c>/bin/sh -c script</c>, as a request.</summary>
    public static StartRequest Shell(string script, string? tag = null, PTY? pty = null, string? cwd = null, IDictionary<string, string>? envs = null)
    {
        var config = new ProcessConfig { Cmd = "/bin/sh", Args = { "-c", script } };
        if (cwd is not null) config.Cwd = cwd;
        if (envs is not null) config.Envs.Add(envs);
        var request = new StartRequest { Process = config };
        if (tag is not null) request.Tag = tag;
        if (pty is not null) request.Pty = pty;
        return request;
    }

    public static PTY Terminal(uint cols, uint rows) => new() { Size = new PTY.Types.Size { Cols = cols, Rows = rows } };

    /// <summary>Starts a process; the stream is the caller's to read. The deadline defaults to <see cref="Patience"/>.</summary>
    public AsyncServerStreamingCall<StartResponse> Start(StartRequest request, TimeSpan? deadline = null, int? keepaliveSeconds = null, CancellationToken cancellationToken = default) =>
        Client.Start(request, Options(deadline ?? Patience, keepaliveSeconds, cancellationToken));

    public AsyncServerStreamingCall<ConnectResponse> Connect(ProcessSelector selector, int? keepaliveSeconds = null, CancellationToken cancellationToken = default) =>
        Client.Connect(new ConnectRequest { Process = selector }, Options(Patience, keepaliveSeconds, cancellationToken));

    /// <summary>Starts a process and reads its stream to the end.</summary>
    public async Task<ProcessRun> RunAsync(StartRequest request, TimeSpan? deadline = null, int? keepaliveSeconds = null)
    {
        using AsyncServerStreamingCall<StartResponse> call = Start(request, deadline, keepaliveSeconds);
        return await ProcessRun.ReadAsync(call.ResponseStream, r => r.Event, this);
    }

    /// <summary>Reads the start event of a fresh stream and returns its pid.</summary>
    public async Task<uint> ReadStartAsync<T>(IAsyncStreamReader<T> stream, Func<T, ProcessEvent> eventOf)
    {
        using var timeout = new CancellationTokenSource(Patience);
        Assert.True(await stream.MoveNext(timeout.Token), "the stream ended before its start event");
        ProcessEvent first = eventOf(stream.Current);
        Assert.Equal(ProcessEvent.EventOneofCase.Start, first.EventCase);
        Remember(first.Start.Pid);
        return first.Start.Pid;
    }

    public ProcessSelector Pid(uint pid) => new() { Pid = pid };

    public Task SendStdinAsync(uint pid, string text) =>
        Client.SendInputAsync(new SendInputRequest { Process = Pid(pid), Input = new ProcessInput { Stdin = ByteString(text) } }, Options(Patience)).ResponseAsync;

    public Task SendPtyAsync(uint pid, string text) =>
        Client.SendInputAsync(new SendInputRequest { Process = Pid(pid), Input = new ProcessInput { Pty = ByteString(text) } }, Options(Patience)).ResponseAsync;

    public Task SignalAsync(ProcessSelector selector, Signal signal) =>
        Client.SendSignalAsync(new SendSignalRequest { Process = selector, Signal = signal }, Options(Patience)).ResponseAsync;

    public async Task<ListResponse> ListAsync() => await Client.ListAsync(new ListRequest(), Options(Patience));

    public static Google.Protobuf.ByteString ByteString(string text) => Google.Protobuf.ByteString.CopyFromUtf8(text);

    internal void Remember(uint pid)
    {
        lock (_started) _started.Add(pid);
    }

    /// <summary>Kills every process this client saw start that is still running, then closes the channel.</summary>
    public void Dispose()
    {
        foreach (uint pid in _started)
        {
            try
            {
                Client.SendSignal(new SendSignalRequest { Process = Pid(pid), Signal = Signal.Sigkill }, Options(TimeSpan.FromSeconds(5)));
            }
            catch (RpcException)
            {
                // already ended (failed_precondition) or forgotten
            }
        }
        _channel.Dispose();
    }
}

/// <summary>Everything one process stream said, in order: pid, output per kind, keepalives and the end.</summary>
sealed class ProcessRun
{
    public uint Pid { get; private set; }
    public List<ProcessEvent.EventOneofCase> Kinds { get; } = [];
    public MemoryStream Stdout { get; } = new();
    public MemoryStream Stderr { get; } = new();
    public MemoryStream Pty { get; } = new();
    public List<int> ChunkSizes { get; } = [];
    public ProcessEvent.Types.EndEvent? End { get; private set; }

    public string StdoutText => Encoding.UTF8.GetString(Stdout.ToArray());
    public string StderrText => Encoding.UTF8.GetString(Stderr.ToArray());
    public string PtyText => Encoding.UTF8.GetString(Pty.ToArray());
    public int Keepalives => Kinds.Count(k => k == ProcessEvent.EventOneofCase.Keepalive);

    public static async Task<ProcessRun> ReadAsync<T>(IAsyncStreamReader<T> stream, Func<T, ProcessEvent> eventOf, ProcessRpc? owner = null)
    {
        var run = new ProcessRun();
        using var timeout = new CancellationTokenSource(ProcessRpc.Patience);
        while (await stream.MoveNext(timeout.Token))
        {
            run.Add(eventOf(stream.Current));
            if (run.Pid != 0) owner?.Remember(run.Pid);
        }
        return run;
    }

    public void Add(ProcessEvent e)
    {
        Kinds.Add(e.EventCase);
        switch (e.EventCase)
        {
            case ProcessEvent.EventOneofCase.Start:
                Pid = e.Start.Pid;
                break;
            case ProcessEvent.EventOneofCase.Data:
                Google.Protobuf.ByteString bytes = e.Data.OutputCase switch
                {
                    ProcessEvent.Types.DataEvent.OutputOneofCase.Stdout => e.Data.Stdout,
                    ProcessEvent.Types.DataEvent.OutputOneofCase.Stderr => e.Data.Stderr,
                    _ => e.Data.Pty,
                };
                ChunkSizes.Add(bytes.Length);
                MemoryStream target = e.Data.OutputCase switch
                {
                    ProcessEvent.Types.DataEvent.OutputOneofCase.Stdout => Stdout,
                    ProcessEvent.Types.DataEvent.OutputOneofCase.Stderr => Stderr,
                    _ => Pty,
                };
                bytes.WriteTo(target);
                break;
            case ProcessEvent.EventOneofCase.End:
                End = e.End;
                break;
        }
    }

    /// <summary>Start first, end last, exactly one of each.</summary>
    public void AssertFramed()
    {
        Assert.NotEmpty(Kinds);
        Assert.Equal(ProcessEvent.EventOneofCase.Start, Kinds[0]);
        Assert.Equal(ProcessEvent.EventOneofCase.End, Kinds[^1]);
        Assert.Single(Kinds, k => k == ProcessEvent.EventOneofCase.Start);
        Assert.Single(Kinds, k => k == ProcessEvent.EventOneofCase.End);
    }
}

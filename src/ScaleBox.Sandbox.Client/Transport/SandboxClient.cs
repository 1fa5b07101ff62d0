using System;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Web;
using ScaleBox.Sandbox.Client.Code;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Client.Processes;
using ScaleBox.Sandbox.Client.Transfer;
using ScaleBox.Sandbox.Client.Transport.Connect;
using ScaleBox.Sandbox.Client.Watch;
using ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Client.Transport;

/// <summary>
/// One connection to one sandbox agent: a single channel reused by every call, the auth headers
/// on each request, and per-call deadlines. Thread-safe; dispose it to close the connections.
/// </summary>
public sealed class SandboxClient : IDisposable
{
    const string AccessTokenHeader = "X-Access-Token";
    // Generous: a deep listing is one message. Still bounded, since the sandbox is untrusted.
    const int MaxReceiveMessageSize = 256 * 1024 * 1024;
    static readonly Version Http2 = new Version(2, 0); // HttpVersion.Version20 is missing from netstandard2.0

    readonly HttpClient _http;
    readonly GrpcChannel? _channel;
    int _disposed;

    public SandboxClient(SandboxClientOptions options)
    {
        Options = options ?? throw new ArgumentNullException(nameof(options));
        Errors = new ErrorTranslator(options.Endpoint, options.AccessToken);

        // The channel and the plain HTTP endpoints get a socket handler each: the channel takes
        // over the handler it is given (its subchannels), which breaks requests it did not make.
        _http = new HttpClient(HttpHandlerFactory.Create(options), disposeHandler: true) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };

        CallInvoker invoker;
        if (options.Protocol == SandboxProtocol.Connect || options.Protocol == SandboxProtocol.ConnectJson)
        {
            // Connect is plain HTTP: its calls share the plain endpoints' client (and so its handler).
            ConnectCodec codec = options.Protocol == SandboxProtocol.Connect ? ConnectCodec.Proto : ConnectCodec.Json;
            invoker = new ConnectCallInvoker(_http, options.Endpoint.BaseUri, codec, MaxReceiveMessageSize);
        }
        else
        {
            var channelOptions = new GrpcChannelOptions
            {
                MaxReceiveMessageSize = MaxReceiveMessageSize,
            };
            if (options.Protocol == SandboxProtocol.GrpcWeb)
            {
                channelOptions.HttpHandler = new GrpcWebHandler(GrpcWebMode.GrpcWeb, HttpHandlerFactory.Create(options));
                channelOptions.HttpVersion = HttpVersion.Version11;
            }
            else
            {
                channelOptions.HttpHandler = HttpHandlerFactory.Create(options);
                channelOptions.HttpVersion = Http2;
            }
            _channel = GrpcChannel.ForAddress(options.Endpoint.BaseUri, channelOptions);
            invoker = _channel.CreateCallInvoker();
        }

        Files = new SandboxFileSystem(this, new ScaleBox.Sandbox.Protocol.Filesystem.FilesystemClient(invoker));
        Watchers = new SandboxWatchers(this, new ScaleBox.Sandbox.Protocol.Filesystem.FilesystemClient(invoker));
        Processes = new SandboxProcesses(this, new ScaleBox.Sandbox.Protocol.Process.ProcessClient(invoker));
        Transfer = new SandboxFileTransfer(this, _http);
        Code = new SandboxCode(this, new ScaleBox.Sandbox.Protocol.ExecutionService.ExecutionServiceClient(invoker),
            new ScaleBox.Sandbox.Protocol.ContextService.ContextServiceClient(invoker));
    }

    public SandboxClientOptions Options { get; }

    public SandboxEndpoint Endpoint => Options.Endpoint;

    /// <summary>Stat, list, create, move and remove paths in the sandbox.</summary>
    public SandboxFileSystem Files { get; }

    /// <summary>Start, attach to, list, signal and feed the sandbox's processes.</summary>
    public SandboxProcesses Processes { get; }

    /// <summary>File content in and out (streamed, resumable), signed URLs, and directory copies.</summary>
    public SandboxFileTransfer Transfer { get; }

    /// <summary>Watch directories for changes: streamed (optionally reconnecting) or polled.</summary>
    public SandboxWatchers Watchers { get; }

    /// <summary>Code execution in the sandbox's interpreters, and their contexts.</summary>
    public SandboxCode Code { get; }

    internal ErrorTranslator Errors { get; }

    /// <summary>GET /health: true when the agent answers 200. Needs no valid token.</summary>
    public async Task<bool> IsHealthyAsync(CancellationToken cancellationToken = default)
    {
        using var request = NewPlainRequest(HttpMethod.Get, AgentHttpRoutes.Health);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Options.Timeout);
        try
        {
            using HttpResponseMessage response = await _http
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token)
                .ConfigureAwait(false);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (Exception e) when (e is HttpRequestException || e is OperationCanceledException)
        {
            throw Errors.Translate(e, "check health", null, cancellationToken);
        }
    }

    /// <summary>Headers and deadline for one RPC.</summary>
    internal CallOptions CallOptions(CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        ThrowIfDisposed();
        TimeSpan limit = timeout ?? Options.Timeout;
        DateTime? deadline = limit == System.Threading.Timeout.InfiniteTimeSpan || limit == TimeSpan.Zero
            ? null
            : DateTime.UtcNow + limit;
        return new CallOptions(AuthHeaders(), deadline, cancellationToken);
    }

    Metadata AuthHeaders() => new Metadata
    {
        { "Authorization", "Bearer " + Options.User },
        { AccessTokenHeader, Options.AccessToken.Reveal() },
    };

    /// <summary>A request to one of the agent's plain HTTP endpoints, on the protocol's HTTP version.</summary>
    internal HttpRequestMessage NewPlainRequest(HttpMethod method, string relativePath)
    {
        ThrowIfDisposed();
        var request = new HttpRequestMessage(method, new Uri(Endpoint.BaseUri, relativePath));
        request.Headers.TryAddWithoutValidation(AccessTokenHeader, Options.AccessToken.Reveal());
        if (Options.Protocol == SandboxProtocol.Grpc)
        {
            request.Version = Http2;
#if NET8_0_OR_GREATER
            request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
#endif
        }
        return request;
    }

    void ThrowIfDisposed()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            throw new ObjectDisposedException(nameof(SandboxClient), $"The connection to {Endpoint} has been closed.");
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _channel?.Dispose();
        _http.Dispose();
    }

    public override string ToString() => $"SandboxClient({Endpoint}, {Options.Protocol})";
}

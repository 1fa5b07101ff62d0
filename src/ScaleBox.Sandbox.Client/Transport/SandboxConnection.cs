using System;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Web;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Transport.Connect;
using ScaleBox.Sandbox.Client.Transport.GrpcWeb;
using ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Client.Transport;

/// <summary>
/// The way to one sandbox agent: the transport the options chose (gRPC-Web, gRPC or Connect, one
/// channel reused by every call), the plain HTTP client of the transfer endpoints, the auth
/// headers on each request, per-call deadlines, and the translation of failures into
/// <see cref="SandboxException"/>s. The service clients (<see cref="SandboxClient.Files"/> and its
/// siblings) are built on it and know nothing of how it connects. Thread-safe; disposing it closes
/// the connections.
/// </summary>
public sealed class SandboxConnection : IDisposable
{
    const string AccessTokenHeader = "X-Access-Token";
    // Generous: a deep listing is one message. Still bounded, since the sandbox is untrusted.
    const int MaxReceiveMessageSize = 256 * 1024 * 1024;
    static readonly Version Http2 = new Version(2, 0); // HttpVersion.Version20 is missing from netstandard2.0

    readonly HttpClient _http;
    readonly GrpcChannel? _channel;
    int _disposed;

    public SandboxConnection(SandboxClientOptions options)
    {
        Options = options ?? throw new ArgumentNullException(nameof(options));
        Errors = new ErrorTranslator(options.Endpoint, options.AccessToken);

        // The channel and the plain HTTP endpoints get a socket handler each: the channel takes
        // over the handler it is given (its subchannels), which breaks requests it did not make.
        HttpMessageHandler plainHandler = HttpHandlerFactory.Create(options);
#if NET8_0_OR_GREATER
        if (options.Protocol == SandboxProtocol.Grpc)
        {
            plainHandler = new TransferHttpVersionHandler(plainHandler, () => NewPlainRequest(HttpMethod.Get, AgentHttpRoutes.Health), options.Timeout, downloadsToo: !IsHttps(options.Endpoint));
        }
#endif
        _http = new HttpClient(plainHandler, disposeHandler: true) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };

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
            if (options.Protocol == SandboxProtocol.GrpcWeb)
            {
                // Unary calls as plain POSTs on the plain endpoints' client; streams through the channel.
                invoker = new GrpcWebUnaryInvoker(invoker, _http, options.Endpoint.BaseUri, MaxReceiveMessageSize);
            }
        }
        Invoker = invoker;
    }

    public SandboxClientOptions Options { get; }

    public SandboxEndpoint Endpoint => Options.Endpoint;

    /// <summary>Where the generated service clients send their calls.</summary>
    internal CallInvoker Invoker { get; }

    /// <summary>The client of the plain HTTP endpoints (upload, download, health) and of Connect calls.</summary>
    internal HttpClient Http => _http;

    internal ErrorTranslator Errors { get; }

    /// <summary>GET /health: true when the agent answers 200. Needs no valid token.</summary>
    public Task<bool> IsHealthyAsync(CancellationToken cancellationToken = default) => IsHealthyAsync(Options.Timeout, cancellationToken);

    /// <summary>GET /health within <paramref name="limit"/> rather than the session's timeout.</summary>
    internal async Task<bool> IsHealthyAsync(TimeSpan limit, CancellationToken cancellationToken) =>
        await GetHealthAsync(limit, cancellationToken).ConfigureAwait(false) == HttpStatusCode.OK;

    /// <summary>GET /health: the status it answers with, within <paramref name="limit"/>.</summary>
    internal async Task<HttpStatusCode> GetHealthAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        using var request = NewPlainRequest(HttpMethod.Get, AgentHttpRoutes.Health);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(limit);
        try
        {
            using HttpResponseMessage response = await _http
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token)
                .ConfigureAwait(false);
            return response.StatusCode;
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

    /// <summary>
    /// A request to one of the agent's plain HTTP endpoints, on the protocol's HTTP version (a gRPC
    /// session's <c>TransferHttpVersionHandler</c> may move a transfer to HTTP/1.1).
    /// </summary>
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

    static bool IsHttps(SandboxEndpoint endpoint) => endpoint.BaseUri.Scheme == Uri.UriSchemeHttps;

    void ThrowIfDisposed()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            throw new ObjectDisposedException(nameof(SandboxConnection), $"The connection to {Endpoint} has been closed.");
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

    public override string ToString() => $"SandboxConnection({Endpoint}, {Options.Protocol})";
}

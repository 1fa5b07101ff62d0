using System;
using System.Net.Http;
using Grpc.Core;

namespace ScaleBox.Sandbox.Client.Transport.Connect;

/// <summary>
/// Carries the generated clients' calls over the Connect protocol, as the official SDKs speak it:
/// unary calls as a plain POST of the message, server streams as enveloped messages ending with
/// the end-of-stream JSON. The calls look to their callers as gRPC calls do (headers, trailers,
/// RpcException with the status), so everything above the generated clients is unchanged.
/// Client and bidirectional streams are refused: Connect over HTTP/1.1 cannot carry them.
/// </summary>
internal sealed class ConnectCallInvoker : CallInvoker
{
    readonly HttpCallTransport _transport;

    /// <param name="http">Shared with the session's plain HTTP requests; not disposed here.</param>
    public ConnectCallInvoker(HttpClient http, Uri baseUri, ConnectCodec codec, int maxReceiveMessageSize)
    {
        _transport = new HttpCallTransport(http, baseUri, codec, maxReceiveMessageSize);
    }

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        var call = new ConnectCall<TRequest, TResponse>(_transport, method, options, streaming: false);
        call.Start(request);
        return new AsyncUnaryCall<TResponse>(call.ReadUnaryResponseAsync(), call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
    }

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        using AsyncUnaryCall<TResponse> call = AsyncUnaryCall(method, host, options, request);
        return call.ResponseAsync.GetAwaiter().GetResult();
    }

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        var call = new ConnectCall<TRequest, TResponse>(_transport, method, options, streaming: true);
        call.Start(request);
        return new AsyncServerStreamingCall<TResponse>(call, call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
    }

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        throw NoClientStreams(method);

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        throw NoClientStreams(method);

    static RpcException NoClientStreams(IMethod method) =>
        new RpcException(new Status(StatusCode.Unimplemented,
            $"{method.FullName} streams requests, which the Connect protocol over HTTP/1.1 cannot carry; use the Grpc protocol for it"));
}

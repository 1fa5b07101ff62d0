using System;
using System.Net.Http;
using Grpc.Core;
using ScaleBox.Sandbox.Client.Transport.Connect;

namespace ScaleBox.Sandbox.Client.Transport.GrpcWeb;

/// <summary>
/// Carries a gRPC-Web session's unary calls (stat, list, make, move, remove, and the process and
/// context calls that answer once) as one plain HTTP/1.1 POST each, on the session's plain HTTP
/// client; its streams go on through Grpc.Net.Client's channel. A unary call through the channel
/// and its gRPC-Web handler runs a good deal more code, which a fresh PowerShell process runs
/// before the runtime has optimized it: a loop of Get-SbxItem in a fresh pwsh took about a fifth
/// less with this path (bench/HISTORY.md).
/// </summary>
internal sealed class GrpcWebUnaryInvoker : CallInvoker
{
    readonly CallInvoker _streams;
    readonly HttpCallTransport _transport;

    /// <param name="streams">Where server, client and duplex streams go.</param>
    /// <param name="http">Shared with the session's plain HTTP requests; not disposed here.</param>
    public GrpcWebUnaryInvoker(CallInvoker streams, HttpClient http, Uri baseUri, int maxReceiveMessageSize)
    {
        _streams = streams;
        _transport = new HttpCallTransport(http, baseUri, ConnectCodec.Proto, maxReceiveMessageSize);
    }

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        var call = new GrpcWebUnaryCall<TRequest, TResponse>(_transport, method, options, request);
        return new AsyncUnaryCall<TResponse>(call.Response,
            state => ((GrpcWebUnaryCall<TRequest, TResponse>)state).ResponseHeadersAsync(),
            state => ((GrpcWebUnaryCall<TRequest, TResponse>)state).GetStatus(),
            state => ((GrpcWebUnaryCall<TRequest, TResponse>)state).GetTrailers(),
            state => ((GrpcWebUnaryCall<TRequest, TResponse>)state).Dispose(),
            call);
    }

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        using AsyncUnaryCall<TResponse> call = AsyncUnaryCall(method, host, options, request);
        return call.ResponseAsync.GetAwaiter().GetResult();
    }

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        _streams.AsyncServerStreamingCall(method, host, options, request);

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        _streams.AsyncClientStreamingCall(method, host, options);

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        _streams.AsyncDuplexStreamingCall(method, host, options);
}

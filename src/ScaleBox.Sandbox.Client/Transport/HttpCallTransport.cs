using System;
using System.Net.Http;
using ScaleBox.Sandbox.Client.Transport.Connect;

namespace ScaleBox.Sandbox.Client.Transport;

/// <summary>
/// What every call one client carries as a plain HTTP request (a Connect session's calls, a gRPC-Web
/// session's unary calls) shares: the HTTP client, the agent's address, the codec, the size limit.
/// </summary>
internal sealed class HttpCallTransport
{
    public HttpCallTransport(HttpClient http, Uri baseUri, ConnectCodec codec, int maxReceiveMessageSize)
    {
        Http = http;
        BaseUri = baseUri;
        Codec = codec;
        MaxReceiveMessageSize = maxReceiveMessageSize;
    }

    public HttpClient Http { get; }

    public Uri BaseUri { get; }

    public ConnectCodec Codec { get; }

    public int MaxReceiveMessageSize { get; }

    /// <summary>A procedure's URL: <c>/package.Service/Method</c> under the base address.</summary>
    public Uri UriOf(string methodFullName) => new Uri(BaseUri, methodFullName.TrimStart('/'));
}

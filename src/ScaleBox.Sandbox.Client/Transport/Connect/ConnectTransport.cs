using System;
using System.Net.Http;

namespace ScaleBox.Sandbox.Client.Transport.Connect;

/// <summary>What every Connect call of one client shares: the HTTP client, the agent's address, the codec, the size limit.</summary>
internal sealed class ConnectTransport
{
    public ConnectTransport(HttpClient http, Uri baseUri, ConnectCodec codec, int maxReceiveMessageSize)
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

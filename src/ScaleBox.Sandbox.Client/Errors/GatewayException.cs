using System;
using System.Net.Http;

namespace ScaleBox.Sandbox.Client.Errors;

/// <summary>
/// A TLS gateway in front of the sandbox refused the request for a reason of its own, such as
/// nginx's answer when it wants a client certificate (400 "No required SSL certificate was
/// sent"). Its message is the plain reason, found by <see cref="ConnectionFailure"/>.
/// </summary>
internal sealed class GatewayException : HttpRequestException
{
    public GatewayException(string reason, Exception? inner = null)
        : base(reason, inner)
    {
    }
}

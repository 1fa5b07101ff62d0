using System;

namespace ScaleBox.Sandbox.Client.Transport;

/// <summary>
/// A plain http address that is not loopback, refused because the access token would travel
/// unencrypted. Its own type so that a caller can name its own way to allow it.
/// </summary>
public sealed class UnencryptedEndpointException : ArgumentException
{
    public UnencryptedEndpointException(string host)
        : base($"Plain http to '{host}' would send the access token unencrypted. Use https, "
            + "or allow insecure http explicitly if the network path is trusted.")
    {
        Host = host;
    }

    /// <summary>The host that would have been reached over plain http.</summary>
    public string Host { get; }
}

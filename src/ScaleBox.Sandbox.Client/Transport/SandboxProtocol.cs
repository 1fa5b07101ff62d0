namespace ScaleBox.Sandbox.Client.Transport;

/// <summary>How RPCs travel to the sandbox agent.</summary>
public enum SandboxProtocol
{
    /// <summary>gRPC-Web over HTTP/1.1: works through every proxy; no client-streaming calls.</summary>
    GrpcWeb = 0,

    /// <summary>gRPC over HTTP/2 (TLS, or prior knowledge on plain http); carries every call.</summary>
    Grpc = 1,

    /// <summary>
    /// The Connect protocol with binary protobuf messages, as the official Python SDK speaks it: over
    /// HTTP/1.1 (or HTTP/2 where TLS offers it); no client-streaming calls.
    /// </summary>
    Connect = 2,

    /// <summary>
    /// The Connect protocol with JSON messages, as the official JavaScript SDK speaks it: over
    /// HTTP/1.1 (or HTTP/2 where TLS offers it); no client-streaming calls.
    /// </summary>
    ConnectJson = 3,
}

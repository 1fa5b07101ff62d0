namespace ScaleBox.Sandbox.Client.Transport
{
    /// <summary>How RPCs travel to the sandbox agent.</summary>
    public enum SandboxProtocol
    {
        /// <summary>gRPC-Web over HTTP/1.1: works through every proxy; no client-streaming calls.</summary>
        GrpcWeb = 0,

        /// <summary>gRPC over HTTP/2 (TLS, or prior knowledge on plain http); carries every call.</summary>
        Grpc = 1,
    }
}

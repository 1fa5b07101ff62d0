using System;

namespace ScaleBox.Sandbox.Client.Transport
{
    /// <summary>What a <see cref="SandboxClient"/> needs to reach one sandbox agent.</summary>
    public sealed class SandboxClientOptions
    {
        public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

        public SandboxClientOptions(SandboxEndpoint endpoint, AccessToken accessToken)
        {
            Endpoint = endpoint ?? throw new ArgumentNullException(nameof(endpoint));
            AccessToken = accessToken ?? throw new ArgumentNullException(nameof(accessToken));
        }

        public SandboxEndpoint Endpoint { get; }

        public AccessToken AccessToken { get; }

        public SandboxProtocol Protocol { get; set; } = SandboxProtocol.GrpcWeb;

        /// <summary>Deadline of each unary call, and how long a connection attempt may take.</summary>
        public TimeSpan Timeout { get; set; } = DefaultTimeout;

        /// <summary>The sandbox user named in <c>Authorization: Bearer</c>; the agent's default is root.</summary>
        public string User { get; set; } = "root";

        /// <summary>
        /// Accepts any TLS certificate the server shows, trusted or not. For a test gateway with a
        /// certificate of its own; anyone on the network path can then read the token.
        /// </summary>
        public bool SkipCertificateCheck { get; set; }
    }
}

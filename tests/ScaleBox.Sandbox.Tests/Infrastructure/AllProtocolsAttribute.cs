using System.Reflection;
using ScaleBox.Sandbox.Client.Transport;
using Xunit.Sdk;

namespace ScaleBox.Sandbox.Tests.Infrastructure;

/// <summary>
/// Runs a client theory once per protocol a session can speak: gRPC-Web over HTTP/1.1, gRPC over
/// HTTP/2, and Connect over HTTP/1.1 with binary and with JSON messages (what the official Python
/// and JavaScript SDKs speak). All reach the same handlers, so all must behave the same.
/// <see cref="BothProtocolsAttribute"/> stays for tests of the agent's own gRPC surface, which
/// build gRPC channels themselves and have no Connect variant.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class AllProtocolsAttribute : DataAttribute
{
    public static IEnumerable<SandboxProtocol> Protocols =>
        [SandboxProtocol.GrpcWeb, SandboxProtocol.Grpc, SandboxProtocol.Connect, SandboxProtocol.ConnectJson];

    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => Protocols.Select(p => new object[] { p });
}

using System.Reflection;
using ScaleBox.Sandbox.Client.Transport;
using Xunit.Sdk;

namespace ScaleBox.Sandbox.Tests.Infrastructure;

/// <summary>
/// Runs a theory once per transport: gRPC-Web over HTTP/1.1 (what proxies and the official SDKs
/// carry) and gRPC over HTTP/2. Both reach the same handlers, so both must behave the same.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class BothProtocolsAttribute : DataAttribute
{
    public override IEnumerable<object[]> GetData(MethodInfo testMethod) =>
    [
        [SandboxProtocol.GrpcWeb],
        [SandboxProtocol.Grpc],
    ];
}

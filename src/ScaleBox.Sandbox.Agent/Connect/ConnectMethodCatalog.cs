using System.Collections.Frozen;
using Grpc.AspNetCore.Server;

namespace ScaleBox.Sandbox.Agent.Connect;

/// <summary>
/// Every method mapped with MapGrpcService, by path. The gRPC endpoints say which service type
/// implements which method; so a service mapped for gRPC is served over Connect with nothing more
/// to register. Built on first use, when all endpoints are mapped.
/// </summary>
internal sealed class ConnectMethodCatalog(EndpointDataSource endpoints, IServiceProvider services)
{
    readonly Lazy<FrozenDictionary<string, ConnectMethod>> _methods = new(() => endpoints.Endpoints
        .Select(endpoint => endpoint.Metadata.GetMetadata<GrpcMethodMetadata>())
        .OfType<GrpcMethodMetadata>()
        .DistinctBy(grpc => grpc.Method.FullName)
        .ToFrozenDictionary(grpc => grpc.Method.FullName, grpc => ConnectMethod.For(grpc, services), StringComparer.Ordinal));

    /// <summary>Paths match exactly, case included, as in connect-go.</summary>
    public ConnectMethod? Find(PathString path) =>
        path.HasValue && _methods.Value.TryGetValue(path.Value!, out ConnectMethod? method) ? method : null;
}

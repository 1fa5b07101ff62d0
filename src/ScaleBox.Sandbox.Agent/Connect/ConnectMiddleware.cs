using Grpc.AspNetCore.Server;
using Grpc.Core;

namespace ScaleBox.Sandbox.Agent.Connect;

/// <summary>
/// Serves the Connect protocol for every method mapped with MapGrpcService. It takes only POSTs
/// with a Connect content type (<c>application/json</c>, <c>application/proto</c>,
/// <c>application/connect+json</c>, <c>application/connect+proto</c>) to a mapped method, or to a
/// path no endpoint serves (404, unimplemented); gRPC, gRPC-Web and every other request pass on untouched.
/// </summary>
internal sealed class ConnectMiddleware(RequestDelegate next, EndpointDataSource endpoints, IServiceProvider services)
{
    readonly ConnectMethodCatalog _methods = new(endpoints, services);

    public Task InvokeAsync(HttpContext http)
    {
        if (!HttpMethods.IsPost(http.Request.Method) || ConnectContentType.Parse(http.Request.ContentType) is not { } contentType)
        {
            return next(http);
        }
        if (_methods.Find(http.Request.Path) is not { } method)
        {
            return IsPlainHttpEndpoint(http.GetEndpoint()) ? next(http) : UnknownProcedureAsync(http);
        }
        if (method.IsStreaming != contentType.IsStreaming)
        {
            // What connect-go answers when a unary method is called in the streaming shape, or the other way round.
            http.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            http.Response.Headers["Accept-Post"] = ConnectContentType.AcceptedFor(method.IsStreaming);
            return Task.CompletedTask;
        }
        return method.HandleAsync(http, contentType);
    }

    /// <summary>
    /// A plain HTTP endpoint may take JSON too, so its requests pass on. A gRPC endpoint does not make
    /// a path a procedure: routing ignores case, Connect procedure paths do not.
    /// </summary>
    static bool IsPlainHttpEndpoint(Endpoint? endpoint) => endpoint is not null && endpoint.Metadata.GetMetadata<GrpcMethodMetadata>() is null;

    static Task UnknownProcedureAsync(HttpContext http)
    {
        byte[] body = ConnectError.ToJson(new Status(StatusCode.Unimplemented, $"unknown procedure {http.Request.Path}"));
        http.Response.StatusCode = StatusCodes.Status404NotFound;
        http.Response.ContentType = "application/json";
        http.Response.ContentLength = body.Length;
        return http.Response.Body.WriteAsync(body, http.RequestAborted).AsTask();
    }
}

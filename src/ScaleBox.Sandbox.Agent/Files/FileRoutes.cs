using ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Agent.Files;

/// <summary>The plain HTTP file endpoints: <c>POST /upload</c> and <c>GET /download/&lt;path&gt;</c>.</summary>
public static class FileRoutes
{
    public const string Upload = "/" + AgentHttpRoutes.Upload;
    public const string Download = "/" + AgentHttpRoutes.Download;

    /// <summary>The query parameter that names an upload's destination (and the path a signed upload signs).</summary>
    public const string UploadPathParameter = AgentHttpRoutes.PathParameter;

    public static IEndpointRouteBuilder MapFileEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(Upload, UploadEndpoint.HandleAsync);
        endpoints.MapGet(Download + "/{**path}", DownloadEndpoint.HandleAsync);
        return endpoints;
    }
}

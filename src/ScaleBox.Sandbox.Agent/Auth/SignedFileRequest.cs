using ScaleBox.Sandbox.Agent.Files;
using ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Agent.Auth;

/// <summary>
/// A request that may carry a signed URL instead of the access token: only <c>POST /upload</c>
/// (operation <c>write</c>, the <c>path</c> query value) and <c>GET /download/&lt;path&gt;</c>
/// (operation <c>read</c>, the decoded URL path). Every other route needs the header token.
/// </summary>
public sealed record SignedFileRequest(string Operation, string Path, string? Signature, string? Expiration, string User)
{
    public const string SignatureParameter = AgentHttpRoutes.SignatureParameter;
    public const string ExpirationParameter = AgentHttpRoutes.SignatureExpirationParameter;
    public const string UserParameter = AgentHttpRoutes.UserParameter;

    /// <summary>Null when the request is not one of the two that can be signed.</summary>
    public static SignedFileRequest? From(HttpRequest request)
    {
        string? path;
        string operation;
        if (HttpMethods.IsPost(request.Method) && request.Path.Equals(FileRoutes.Upload, StringComparison.OrdinalIgnoreCase))
        {
            operation = UrlSignature.WriteOperation;
            path = FirstOrNull(request, FileRoutes.UploadPathParameter);
        }
        else if (HttpMethods.IsGet(request.Method) && DownloadPath.TryRead(request, out string? downloadPath))
        {
            operation = UrlSignature.ReadOperation;
            path = downloadPath;
        }
        else
        {
            return null;
        }

        return new SignedFileRequest(
            operation,
            UrlSignature.NormalizePath(path),
            FirstOrNull(request, SignatureParameter),
            FirstOrNull(request, ExpirationParameter),
            FirstOrNull(request, UserParameter) is { Length: > 0 } user ? user : UrlSignature.DefaultUser);
    }

    static string? FirstOrNull(HttpRequest request, string name) =>
        request.Query.TryGetValue(name, out var values) && values.Count > 0 ? values[0] : null;
}

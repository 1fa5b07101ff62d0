namespace ScaleBox.Sandbox.Protocol;

/// <summary>
/// The agent's plain HTTP endpoints and their query parameters, as the published API names them.
/// Route names carry no leading slash: the client resolves them against a base address that may
/// have a path of its own (a gateway prefix), and the agent maps them under its root.
/// </summary>
public static class AgentHttpRoutes
{
    /// <summary><c>GET /health</c>: 200 with no token needed.</summary>
    public const string Health = "health";

    /// <summary><c>POST /upload</c>: multipart files.</summary>
    public const string Upload = "upload";

    /// <summary><c>GET /download/&lt;path&gt;</c>: one file, with ranges.</summary>
    public const string Download = "download";

    /// <summary>The multipart field of an upload's file.</summary>
    public const string FileField = "file";

    /// <summary>The upload query parameter (and multipart field) that names a destination; a signed upload signs it.</summary>
    public const string PathParameter = "path";

    /// <summary>A signed URL's signature (<c>v1_…</c>).</summary>
    public const string SignatureParameter = "signature";

    /// <summary>A signed URL's expiry, in Unix seconds.</summary>
    public const string SignatureExpirationParameter = "signature_expiration";

    /// <summary>The sandbox user a request acts as (and a signature covers).</summary>
    public const string UserParameter = "username";
}

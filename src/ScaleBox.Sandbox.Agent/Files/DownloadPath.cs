using Microsoft.AspNetCore.Http.Features;

namespace ScaleBox.Sandbox.Agent.Files;

/// <summary>
/// The path in <c>GET /download/&lt;path&gt;</c>, decoded the way the real (Go) agent decodes its
/// URL path: every percent escape once, <c>%2F</c> included, so that clients can percent-encode
/// each segment and names with spaces, <c>#</c>, <c>%</c>, <c>?</c> or non-ASCII letters survive.
/// </summary>
public static class DownloadPath
{
    const string Prefix = FileRoutes.Download + "/";

    /// <param name="path">The path after <c>/download/</c>, decoded; it has no leading slash as
    /// clients send it, and stands for an absolute path (see <see cref="FilePaths.ResolveUrlPath"/>).</param>
    /// <returns>False when the request is not for <c>/download/…</c>.</returns>
    public static bool TryRead(HttpRequest request, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? path)
    {
        path = null;
        if (!request.Path.StartsWithSegments(FileRoutes.Download, StringComparison.OrdinalIgnoreCase, out PathString rest)
            || !rest.HasValue)
        {
            return false;
        }

        // Kestrel's Request.Path keeps %2F encoded (and has removed dot segments); the raw request
        // target is what the client sent, so it is decoded here exactly once.
        string raw = request.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget ?? "";
        int query = raw.IndexOf('?');
        if (query >= 0)
        {
            raw = raw[..query];
        }
        // Origin form ("/download/…") is the norm; absolute form ("http://host/download/…") is allowed by HTTP/1.1.
        int start = raw.StartsWith('/') ? (raw.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) ? 0 : -1)
            : raw.IndexOf(Prefix, StringComparison.OrdinalIgnoreCase);
        path = start >= 0
            ? Uri.UnescapeDataString(raw[(start + Prefix.Length)..])
            : rest.Value!.TrimStart('/');
        return true;
    }
}

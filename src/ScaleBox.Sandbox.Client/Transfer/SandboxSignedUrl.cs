using System;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>
/// Signed URLs (signature v1): a download or upload link that works without any header, for a
/// browser, curl or another machine. Anyone holding the link can use it until it expires, so
/// give it an expiry and hand it out like a password; it does not reveal the access token.
/// </summary>
/// <remarks>
/// <c>signature = "v1_" + base64(sha256(utf8("&lt;path&gt;:&lt;operation&gt;:&lt;user&gt;:&lt;token&gt;[:&lt;expiration&gt;]")))</c>,
/// standard base64 alphabet without <c>=</c> padding; path normalised to "/" + the path
/// without leading slashes; operation <c>read</c> or <c>write</c>; user <c>root</c> unless
/// given; expiration in absolute Unix seconds.
/// </remarks>
public static class SandboxSignedUrl
{
    public const string DefaultUser = "root";

    /// <summary>The signature of one path and operation.</summary>
    /// <param name="path">The sandbox path; normalised to "/" + the path without leading slashes.</param>
    /// <param name="user">The sandbox user the link acts as; null or empty means root.</param>
    /// <param name="expiresAt">When the link stops working; null for never.</param>
    public static string Sign(string path, SandboxFileOperation operation, string? user, AccessToken token, DateTimeOffset? expiresAt = null)
    {
        if (path is null)
        {
            throw new ArgumentNullException(nameof(path));
        }
        if (token is null)
        {
            throw new ArgumentNullException(nameof(token));
        }
        var raw = new StringBuilder();
        raw.Append(NormalizePath(path)).Append(':')
            .Append(OperationName(operation)).Append(':')
            .Append(UserOrDefault(user)).Append(':')
            .Append(token.Reveal());
        if (expiresAt is DateTimeOffset expiry)
        {
            raw.Append(':').Append(UnixSeconds(expiry));
        }
        byte[] digest;
        using (SHA256 sha = SHA256.Create())
        {
            digest = sha.ComputeHash(Encoding.UTF8.GetBytes(raw.ToString()));
        }
        return "v1_" + Convert.ToBase64String(digest).TrimEnd('=');
    }

    /// <summary>
    /// A complete signed link on the sandbox's own address:
    /// <c>&lt;base&gt;/download/&lt;encoded path&gt;?signature=…[&amp;signature_expiration=…]&amp;username=…</c> to read, or
    /// <c>&lt;base&gt;/upload?path=&lt;encoded path&gt;&amp;signature=…[&amp;signature_expiration=…]&amp;username=…</c> to write
    /// (a multipart POST, as for a header-authenticated upload).
    /// </summary>
    /// <remarks>
    /// The path is cleaned lexically first (no empty, <c>.</c> or <c>..</c> segments), so that
    /// the path the agent decodes from the URL is exactly the path that was signed.
    /// </remarks>
    public static Uri Create(SandboxEndpoint endpoint, string path, SandboxFileOperation operation, string? user, AccessToken token, DateTimeOffset? expiresAt = null)
    {
        if (endpoint is null)
        {
            throw new ArgumentNullException(nameof(endpoint));
        }
        if (string.IsNullOrEmpty(path))
        {
            throw new ArgumentException("A sandbox path is required to sign a URL.", nameof(path));
        }
        string clean = NormalizePath(RemotePaths.Clean(NormalizePath(path)));
        string signature = Sign(clean, operation, user, token, expiresAt);

        var query = new StringBuilder();
        string relative;
        if (operation == SandboxFileOperation.Read)
        {
            relative = RemotePaths.DownloadUriPath(clean);
        }
        else
        {
            relative = AgentHttpRoutes.Upload;
            query.Append(AgentHttpRoutes.PathParameter).Append('=').Append(Uri.EscapeDataString(clean)).Append('&');
        }
        query.Append(AgentHttpRoutes.SignatureParameter).Append('=').Append(Uri.EscapeDataString(signature));
        if (expiresAt is DateTimeOffset expiry)
        {
            query.Append('&').Append(AgentHttpRoutes.SignatureExpirationParameter).Append('=').Append(UnixSeconds(expiry));
        }
        query.Append('&').Append(AgentHttpRoutes.UserParameter).Append('=').Append(Uri.EscapeDataString(UserOrDefault(user)));
        return new Uri(endpoint.BaseUri, relative + "?" + query);
    }

    /// <summary>"/" + the path without its leading slashes, as the signature covers it.</summary>
    public static string NormalizePath(string path) => "/" + (path ?? string.Empty).TrimStart('/');

    static string OperationName(SandboxFileOperation operation) => operation switch
    {
        SandboxFileOperation.Read => "read",
        SandboxFileOperation.Write => "write",
        _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, "The operation is Read or Write."),
    };

    static string UserOrDefault(string? user) => string.IsNullOrEmpty(user) ? DefaultUser : user!;

    static string UnixSeconds(DateTimeOffset time) => time.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
}

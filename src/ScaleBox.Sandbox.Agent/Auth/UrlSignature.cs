using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ScaleBox.Sandbox.Agent.Auth;

/// <summary>
/// The v1 signature of a file URL, as the official SDKs compute it:
/// <c>"v1_" + base64(sha256(utf8("&lt;path&gt;:&lt;operation&gt;:&lt;user&gt;:&lt;token&gt;[:&lt;expiration&gt;]")))</c>,
/// standard base64 alphabet without the <c>=</c> padding.
/// </summary>
public static class UrlSignature
{
    public const string Prefix = "v1_";
    public const string ReadOperation = "read";
    public const string WriteOperation = "write";
    public const string DefaultUser = "root";

    /// <summary>The path as it is signed: <c>/</c> followed by the path without its leading slashes.</summary>
    public static string NormalizePath(string? path) => "/" + (path ?? "").TrimStart('/');

    /// <param name="path">Already normalised with <see cref="NormalizePath"/>.</param>
    /// <param name="expiration">Absolute Unix seconds, or null for a signature that never expires.</param>
    public static string Compute(string path, string operation, string user, string token, long? expiration)
    {
        string raw = expiration is { } seconds
            ? string.Join(':', path, operation, user, token, seconds.ToString(CultureInfo.InvariantCulture))
            : string.Join(':', path, operation, user, token);
        byte[] digest = SHA256.HashData(Encoding.UTF8.GetBytes(raw));
        return Prefix + Convert.ToBase64String(digest).TrimEnd('=');
    }
}

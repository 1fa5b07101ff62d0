using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ScaleBox.Sandbox.Agent.Auth;

/// <summary>
/// Checks a signed file URL the way the real agent does: the signature is compared in constant
/// time first, and only a genuine signature is then checked for expiry, so an attacker learns
/// nothing from the order of the answers.
/// </summary>
public sealed class SignedUrlVerifier(string accessToken)
{
    /// <returns>Null when the signature grants the request, else the reason it does not.</returns>
    public string? Verify(SignedFileRequest request, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(request.Signature))
        {
            return "missing signature query parameter";
        }

        long? expiration = null;
        if (request.Expiration is not null)
        {
            if (!long.TryParse(request.Expiration, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long seconds))
            {
                return "invalid signature_expiration query parameter";
            }
            expiration = seconds;
        }

        string expected = UrlSignature.Compute(request.Path, request.Operation, request.User, accessToken, expiration);
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(request.Signature)))
        {
            return "invalid signature";
        }

        if (expiration is { } expires && expires < now.ToUnixTimeSeconds())
        {
            return "signature is already expired";
        }
        return null;
    }
}

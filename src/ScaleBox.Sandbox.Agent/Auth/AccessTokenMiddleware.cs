using System.Security.Cryptography;
using System.Text;
using ScaleBox.Sandbox.Agent.Hosting;
using ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Agent.Auth;

/// <summary>
/// The agent's one gate, as the real agent keeps it: HTTP 401 with a JSON body for a request that
/// is not let in (gRPC clients map that status to <c>unauthenticated</c>).
/// <list type="bullet">
/// <item><c>/health</c> is open, whatever token comes with it.</item>
/// <item>Otherwise an <c>X-Access-Token</c> header decides alone: the right token lets the request
/// in, a wrong one keeps it out, even when the request also carries a valid signature.</item>
/// <item>Without the header, only <c>/upload</c> and <c>/download/…</c> may come in, on a signed
/// URL (<see cref="SignedFileRequest"/>); every other request is refused.</item>
/// </list>
/// </summary>
public sealed class AccessTokenMiddleware(RequestDelegate next, AgentOptions options)
{
    public const string HeaderName = "X-Access-Token";

    // The real agent's words: its gate for every route but the file endpoints, and the check those
    // endpoints make themselves.
    const string NoTokenMessage = "unauthorized access, please provide a valid access token or method signing if supported";
    const string WrongFileTokenMessage = "access token present in header but does not match";

    readonly byte[] _expected = SHA256.HashData(Encoding.UTF8.GetBytes(options.AccessToken));
    readonly SignedUrlVerifier _signatures = new(options.AccessToken);

    public Task InvokeAsync(HttpContext context)
    {
        if (IsOpen(context.Request.Path))
        {
            return next(context);
        }

        SignedFileRequest? signable = SignedFileRequest.From(context.Request);
        string? presented = context.Request.Headers[HeaderName];
        if (!string.IsNullOrEmpty(presented))
        {
            return IsValidToken(presented) ? next(context) : RejectAsync(context, signable is null ? NoTokenMessage : WrongFileTokenMessage);
        }

        if (signable is not null)
        {
            if (_signatures.Verify(signable, DateTimeOffset.UtcNow) is { } reason)
            {
                return RejectAsync(context, reason);
            }
            context.Features.Set(new SignedFileAccess(signable.Operation, signable.Path, signable.User));
            return next(context);
        }

        return RejectAsync(context, NoTokenMessage);
    }

    static bool IsOpen(PathString path) => path.Equals("/" + AgentHttpRoutes.Health, StringComparison.Ordinal);

    bool IsValidToken(string presented) =>
        // Hashes of equal length compared in constant time: neither the token's length nor how much
        // of a guess was right leaks through timing.
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), _expected);

    static Task RejectAsync(HttpContext context, string message) =>
        JsonError.WriteAsync(context.Response, StatusCodes.Status401Unauthorized, message);
}

using System.Security.Cryptography;
using System.Text;
using ScaleBox.Sandbox.Agent.Hosting;

namespace ScaleBox.Sandbox.Agent.Auth;

/// <summary>
/// Rejects every request that lacks the agent's access token, as the real agent does: HTTP 401 with
/// a JSON body. gRPC clients map that status to <c>unauthenticated</c>. <c>/health</c> is open.
/// </summary>
public sealed class AccessTokenMiddleware(RequestDelegate next, AgentOptions options)
{
    public const string HeaderName = "X-Access-Token";
    readonly byte[] _expected = SHA256.HashData(Encoding.UTF8.GetBytes(options.AccessToken));

    public Task InvokeAsync(HttpContext context)
    {
        if (IsOpen(context.Request.Path) || HasValidToken(context.Request))
        {
            return next(context);
        }

        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        return context.Response.WriteAsJsonAsync(
            new UnauthorizedBody(401, "unauthorized access, please provide a valid access token"),
            AgentJsonContext.Default.UnauthorizedBody);
    }

    static bool IsOpen(PathString path) => path.Equals("/health", StringComparison.Ordinal);

    bool HasValidToken(HttpRequest request)
    {
        string? presented = request.Headers[HeaderName];
        // Hashes of equal length compared in constant time: neither the token's length nor how much
        // of a guess was right leaks through timing.
        return presented is not null
            && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), _expected);
    }
}

public sealed record UnauthorizedBody(int Code, string Message);

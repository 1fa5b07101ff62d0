using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using ScaleBox.Sandbox.Client.Errors;

namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>
/// Failed answers of the agent's plain HTTP endpoints (/upload, /download): the status mapped to
/// a <see cref="SandboxErrorCode"/>, the server's words taken from a JSON <c>{code,message}</c>
/// body or from plain text. The body comes from an untrusted sandbox, so only its first 64 KiB are read.
/// </summary>
internal static class AgentHttpErrors
{
    public const int MaxBodyBytes = 64 * 1024;
    const int MaxMessageChars = 2000;

    public static SandboxErrorCode CodeFor(HttpStatusCode status)
    {
        int code = (int)status;
        switch (code)
        {
            case 400: return SandboxErrorCode.InvalidArgument;
            case 401: return SandboxErrorCode.Unauthenticated;
            case 403: return SandboxErrorCode.PermissionDenied;
            case 404: return SandboxErrorCode.NotFound;
            case 408: return SandboxErrorCode.DeadlineExceeded;
            case 409: return SandboxErrorCode.AlreadyExists;
            case 412: return SandboxErrorCode.FailedPrecondition;
            case 413: return SandboxErrorCode.ResourceExhausted;
            case 416: return SandboxErrorCode.OutOfRange;
            case 429: return SandboxErrorCode.Unavailable;
            case 499: return SandboxErrorCode.Cancelled;
            case 501: return SandboxErrorCode.Unimplemented;
            case 502:
            case 503:
            case 504: return SandboxErrorCode.Unavailable;
            case 507: return SandboxErrorCode.ResourceExhausted;
        }
        return code >= 500 ? SandboxErrorCode.Internal
            : code >= 400 ? SandboxErrorCode.FailedPrecondition
            : SandboxErrorCode.Unknown;
    }

    /// <summary>The exception for a non-success response; reads (a bounded part of) its body.</summary>
    public static async Task<SandboxException> FromResponseAsync(HttpResponseMessage response, ErrorTranslator errors,
        string operation, string target, CancellationToken cancellationToken)
    {
        string? body = null;
        try
        {
            body = await ReadTextAsync(response.Content, MaxBodyBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException || e is HttpRequestException || e is OperationCanceledException || e is ObjectDisposedException)
        {
            // The status alone still says what went wrong.
        }
        int status = (int)response.StatusCode;
        string message = ExtractMessage(body) ?? $"HTTP {status} {response.ReasonPhrase}".TrimEnd();
        return errors.FromStatus(CodeFor(response.StatusCode), message, operation, target, null);
    }

    /// <summary>At most <paramref name="maxBytes"/> of a body, as UTF-8 text.</summary>
    public static async Task<string> ReadTextAsync(HttpContent? content, int maxBytes, CancellationToken cancellationToken)
    {
        if (content is null)
        {
            return string.Empty;
        }
        using Stream stream = await content.ReadAsStreamAsync().ConfigureAwait(false);
        var buffer = new byte[maxBytes];
        int filled = 0;
        while (filled < buffer.Length)
        {
            int read = await stream.ReadAsync(buffer, filled, buffer.Length - filled, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }
            filled += read;
        }
        return new UTF8Encoding(false, false).GetString(buffer, 0, filled);
    }

    /// <summary>
    /// The message in an error body: <c>message</c> of a JSON object (also inside an
    /// <c>error</c> object, or <c>error</c> as a string), else the trimmed text itself.
    /// </summary>
    public static string? ExtractMessage(string? body)
    {
        if (body is null)
        {
            return null;
        }
        string text = body.Trim();
        if (text.Length == 0)
        {
            return null;
        }
        AgentJsonObject? json = AgentJsonObject.TryParse(text);
        string? message = json?.String("message") ?? json?.String("error") ?? json?.Object("error")?.String("message");
        return Shorten(message ?? text);
    }

    public static string Shorten(string text) =>
        text.Length <= MaxMessageChars ? text : text.Substring(0, MaxMessageChars) + "...";
}

namespace ScaleBox.Sandbox.Agent.Files;

/// <summary>
/// A failure of a file endpoint with the HTTP status it answers with. The body is the real
/// agent's JSON error: <c>{"code": status, "message": "..."}</c>.
/// </summary>
public sealed class FileEndpointException(int statusCode, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;

    /// <summary>Writes the error, unless the response has already started (then only the connection can tell).</summary>
    public async Task WriteAsync(HttpContext context)
    {
        if (context.Response.HasStarted || context.RequestAborted.IsCancellationRequested)
        {
            return;
        }
        context.Response.Clear();
        try
        {
            await Hosting.JsonError.WriteAsync(context.Response, StatusCode, Hosting.ErrorTranslationInterceptor.Shorten(Message));
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // The client is gone.
        }
    }
}

using System.Text.Json;

namespace ScaleBox.Sandbox.Agent.Hosting;

/// <summary>The JSON body of an error over plain HTTP; <see cref="Code"/> repeats the HTTP status.</summary>
public sealed record JsonErrorBody(int Code, string Message);

/// <summary>
/// An error answered over plain HTTP as the real agent's jsonError answers it: the status, the body
/// <c>{"code":…,"message":…}</c> and a line end (Go's JSON encoder ends each value with one), and
/// <c>X-Content-Type-Options: nosniff</c>.
/// </summary>
public static class JsonError
{
    public static async Task WriteAsync(HttpResponse response, int status, string message)
    {
        response.StatusCode = status;
        response.ContentType = "application/json; charset=utf-8";
        response.Headers.XContentTypeOptions = "nosniff";
        await JsonSerializer.SerializeAsync(response.Body, new JsonErrorBody(status, message), AgentJsonContext.Readable.JsonErrorBody, response.HttpContext.RequestAborted);
        await response.WriteAsync("\n", response.HttpContext.RequestAborted);
    }
}

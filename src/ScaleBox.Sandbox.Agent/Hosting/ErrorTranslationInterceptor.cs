using Grpc.Core;
using Grpc.Core.Interceptors;

namespace ScaleBox.Sandbox.Agent.Hosting;

/// <summary>
/// Turns the file system's exceptions into the status codes the real agent answers with, so that
/// services can let them fly instead of wrapping every call. Error texts that echo a huge value (a
/// path or tag of 100 KB) are shortened: the status travels in a header, and a header that large
/// breaks the client's reading of the answer instead of telling it what was wrong.
/// </summary>
public sealed class ErrorTranslationInterceptor : Interceptor
{
    const int DiskFull = 28; // ENOSPC
    public const int MaxDetailLength = 1024;

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception e) when (Translate(e) is { } translated)
        {
            throw translated;
        }
        catch (RpcException e) when (e.Status.Detail.Length > MaxDetailLength)
        {
            throw Status(e.StatusCode, e.Status.Detail);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception e) when (Translate(e) is { } translated)
        {
            throw translated;
        }
        catch (RpcException e) when (e.Status.Detail.Length > MaxDetailLength)
        {
            throw Status(e.StatusCode, e.Status.Detail);
        }
    }

    public static RpcException? Translate(Exception e) => e switch
    {
        RpcException => null,
        FileNotFoundException or DirectoryNotFoundException => Status(StatusCode.NotFound, e.Message),
        UnauthorizedAccessException => Status(StatusCode.PermissionDenied, e.Message),
        IOException io when (io.HResult & 0xFFFF) == DiskFull => Status(StatusCode.ResourceExhausted, e.Message),
        IOException => Status(StatusCode.FailedPrecondition, e.Message),
        OperationCanceledException => Status(StatusCode.Cancelled, "the call was cancelled"),
        _ => null,
    };

    static RpcException Status(StatusCode code, string message) => new(new Status(code, Shorten(message)));

    /// <summary>The text itself when short enough, else its start and end around a note of what was left out.</summary>
    public static string Shorten(string text)
    {
        if (text.Length <= MaxDetailLength)
        {
            return text;
        }
        const int keepEnd = 200;
        int keepStart = MaxDetailLength - keepEnd - 40;
        return $"{text[..keepStart]}…({text.Length - keepStart - keepEnd} characters left out)…{text[^keepEnd..]}";
    }
}

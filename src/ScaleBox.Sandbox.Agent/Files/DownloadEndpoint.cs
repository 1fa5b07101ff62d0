using ScaleBox.Sandbox.Agent.Filesystem;

namespace ScaleBox.Sandbox.Agent.Files;

/// <summary>
/// <c>GET /download/&lt;path&gt;</c>: the file's bytes, served like Go's <c>http.ServeContent</c>
/// (see <see cref="FileContentResponse"/>). Streamed from the file; nothing is buffered whole.
/// </summary>
public static class DownloadEndpoint
{
    public static async Task HandleAsync(HttpContext context)
    {
        try
        {
            PathResolver resolver = context.RequestServices.GetRequiredService<PathResolver>();
            if (!DownloadPath.TryRead(context.Request, out string? requested))
            {
                throw new FileEndpointException(StatusCodes.Status404NotFound, "no path given");
            }
            string path = FilePaths.ResolveUrlPath(resolver, requested);

            await using FileStream stream = Open(path);
            FileVersion version = FileVersion.Of(stream.SafeFileHandle);
            await FileContentResponse.WriteAsync(context, path, stream, version);
        }
        catch (FileEndpointException e)
        {
            await e.WriteAsync(context);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException && context.RequestAborted.IsCancellationRequested)
        {
            // The client went away mid-download.
        }
    }

    static FileStream Open(string path)
    {
        UnixStat stat = UnixStat.TryRead(path, followSymlink: true)
            ?? throw new FileEndpointException(StatusCodes.Status404NotFound, $"path '{path}' does not exist");
        if (stat.Type == UnixStat.Directory)
        {
            throw new FileEndpointException(StatusCodes.Status400BadRequest, $"path '{path}' is a directory");
        }
        if (stat.Type != UnixStat.Regular)
        {
            // A FIFO would block and a device never end; only regular files are served.
            throw new FileEndpointException(StatusCodes.Status400BadRequest, $"path '{path}' is not a regular file");
        }

        try
        {
            return new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.ReadWrite | FileShare.Delete,
                BufferSize = 0,
                Options = FileOptions.SequentialScan,
            });
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FileEndpointException(StatusCodes.Status404NotFound, $"path '{path}' does not exist");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FileEndpointException(StatusCodes.Status500InternalServerError, $"error opening file '{path}': {e.Message}");
        }
    }
}

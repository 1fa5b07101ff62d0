using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Net.Http.Headers;
using ScaleBox.Sandbox.Agent.Filesystem;

namespace ScaleBox.Sandbox.Agent.Files;

/// <summary>
/// <c>GET /download/&lt;path&gt;</c>: the file's bytes, served like Go's <c>http.ServeContent</c> —
/// <c>Range</c> (206, 416), <c>If-Range</c>, <c>If-None-Match</c>/<c>If-Modified-Since</c> (304),
/// <c>If-Match</c>/<c>If-Unmodified-Since</c> (412), <c>Content-Length</c>, <c>Last-Modified</c>,
/// plus an <c>ETag</c>. Streamed from the file; nothing is buffered whole.
/// </summary>
public static class DownloadEndpoint
{
    static readonly FileExtensionContentTypeProvider ContentTypes = new();

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

            FileStream stream = Open(path);
            FileVersion version;
            try
            {
                version = FileVersion.Of(stream.SafeFileHandle);
            }
            catch
            {
                await stream.DisposeAsync();
                throw;
            }

            string contentType = ContentTypes.TryGetContentType(path, out string? known) ? known : "application/octet-stream";
            // The result owns the stream from here and disposes it.
            IResult result = TypedResults.File(stream, contentType, fileDownloadName: null,
                lastModified: version.ModifiedTime, entityTag: new EntityTagHeaderValue(version.EntityTag),
                enableRangeProcessing: true);
            await result.ExecuteAsync(context);
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

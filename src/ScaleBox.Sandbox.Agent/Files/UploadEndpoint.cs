using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using ScaleBox.Sandbox.Agent.Auth;
using ScaleBox.Sandbox.Agent.Filesystem;

namespace ScaleBox.Sandbox.Agent.Files;

/// <summary>
/// <c>POST /upload</c>: <c>multipart/form-data</c> with one or more <c>file</c> parts, streamed
/// straight from the socket to disk (the form is never buffered, the body never held in memory).
/// Each file is written under a temporary name beside its destination and renamed into place once
/// complete. Answers 200 with <c>[{name, type, path}]</c>, one entry per file written.
/// </summary>
public static class UploadEndpoint
{
    const int MaxPathFieldLength = 64 * 1024;

    // The form reader's own default (4 KiB) costs a read call per 4 KiB of every file.
    const int FormReadBufferSize = 64 * 1024;

    public static async Task HandleAsync(HttpContext context)
    {
        var staged = new List<PendingFile>();
        try
        {
            List<UploadedEntry> written = await ReceiveAsync(context, staged);
            context.Response.StatusCode = StatusCodes.Status200OK;
            await context.Response.WriteAsJsonAsync(written, Hosting.AgentJsonContext.Readable.ListUploadedEntry, cancellationToken: context.RequestAborted);
        }
        catch (FileEndpointException e)
        {
            await e.WriteAsync(context);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away mid-upload: nothing to answer; the finally below cleans up.
        }
        finally
        {
            foreach (PendingFile file in staged)
            {
                file.Staged.Dispose(); // deletes whatever was not renamed into place
            }
        }
    }

    static async Task<List<UploadedEntry>> ReceiveAsync(HttpContext context, List<PendingFile> staged)
    {
        HttpRequest request = context.Request;
        CancellationToken cancellationToken = context.RequestAborted;
        PathResolver resolver = context.RequestServices.GetRequiredService<PathResolver>();
        StagingJournal journal = context.RequestServices.GetRequiredService<StagingJournal>();

        // Go's Request.MultipartReader decides, and the real agent answers its refusal with 500.
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out MediaTypeHeaderValue? mediaType)
            || !(mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
                || mediaType.MediaType.Equals("multipart/mixed", StringComparison.OrdinalIgnoreCase)))
        {
            throw new FileEndpointException(StatusCodes.Status500InternalServerError,
                "error parsing multipart form: request Content-Type isn't multipart/form-data");
        }
        string boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value ?? "";
        if (boundary.Length == 0)
        {
            throw new FileEndpointException(StatusCodes.Status500InternalServerError,
                "error parsing multipart form: no multipart boundary param in Content-Type");
        }

        var destinations = new UploadDestinations(FixedDestination(context, resolver));
        var reader = new MultipartReader(boundary, request.Body, FormReadBufferSize) { BodyLengthLimit = null };
        var written = new List<(int Index, UploadedEntry Entry)>();
        int fileCount = 0;

        while (await NextSectionAsync(reader, cancellationToken) is { } section)
        {
            UploadPart part = UploadPart.From(section);
            if (part.Name == UploadPart.FileField)
            {
                int index = fileCount++;
                string stagingDirectory;
                bool claimed = false;
                if (destinations.Of(index) is { } known)
                {
                    // Known before the bytes arrive: a directory is refused without reading them.
                    destinations.Claim(known);
                    claimed = true;
                    stagingDirectory = Path.GetDirectoryName(UploadTarget.Prepare(known))!;
                }
                else
                {
                    // Its path field may still follow; stage beside where its file name points, if
                    // that folder exists, so that the final rename usually stays in one directory.
                    stagingDirectory = FilePaths.TryResolveFileName(resolver, part.FileName, out string? byName)
                        && Directory.Exists(Path.GetDirectoryName(byName))
                        ? Path.GetDirectoryName(byName)!
                        : resolver.Home;
                }

                var pending = new PendingFile(index, part.FileName, StagedFile.CreateIn(stagingDirectory, journal)) { Claimed = claimed };
                staged.Add(pending);
                await pending.Staged.ReceiveAsync(section.Body, cancellationToken);
            }
            else if (part.Name == UploadPart.PathField && !destinations.IsFixed)
            {
                destinations.AddPathField(FilePaths.Resolve(resolver, await ReadFieldAsync(section, cancellationToken)));
            }
            // Other fields are ignored, as the real agent ignores them.

            foreach (PendingFile file in staged.Where(f => !f.Committed && destinations.Of(f.Index) is not null))
            {
                written.Add((file.Index, await CommitAsync(file, destinations.Of(file.Index)!, destinations, cancellationToken)));
            }
        }

        // The body is complete: files that no path field named go to their file names.
        foreach (PendingFile file in staged.Where(f => !f.Committed))
        {
            string destination = file.FileName is { Length: > 0 } name
                ? FilePaths.ResolveFileName(resolver, name)
                : throw new FileEndpointException(StatusCodes.Status400BadRequest,
                    "a file part has no destination: give it a file name or send a path field or query parameter");
            written.Add((file.Index, await CommitAsync(file, destination, destinations, cancellationToken)));
        }

        return written.OrderBy(w => w.Index).Select(w => w.Entry).ToList();
    }

    /// <summary>The one destination every file part goes to, or null when the form decides.</summary>
    static string? FixedDestination(HttpContext context, PathResolver resolver)
    {
        string? queryPath = context.Request.Query.TryGetValue(FileRoutes.UploadPathParameter, out var values) && values.Count > 0
            ? values[0]
            : null;
        if (context.Features.Get<SignedFileAccess>() is { } signed)
        {
            // What was signed is what is written: never a form field or a file name. The signed form
            // drops leading slashes, so "a" and "/a" would sign alike; only paths that say what they
            // mean (absolute, or from ~) are taken.
            if (queryPath is { Length: > 0 } && queryPath[0] is not ('/' or '~'))
            {
                throw new FileEndpointException(StatusCodes.Status400BadRequest,
                    $"a signed upload needs an absolute path, not '{queryPath}'");
            }
            return FilePaths.ResolveUrlPath(resolver, signed.Path);
        }
        return queryPath is null ? null : FilePaths.Resolve(resolver, queryPath);
    }

    static async Task<UploadedEntry> CommitAsync(
        PendingFile file, string destination, UploadDestinations destinations, CancellationToken cancellationToken)
    {
        if (!file.Claimed)
        {
            destinations.Claim(destination);
            file.Claimed = true;
        }
        string target = UploadTarget.Prepare(destination);
        await file.Staged.CommitToAsync(target, cancellationToken);
        file.Committed = true;
        return UploadedEntry.File(destination);
    }

    static async Task<MultipartSection?> NextSectionAsync(MultipartReader reader, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.ReadNextSectionAsync(cancellationToken);
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            throw new FileEndpointException(StatusCodes.Status500InternalServerError, "error reading form: " + e.Message);
        }
    }

    static async Task<string> ReadFieldAsync(MultipartSection section, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        var buffer = new char[4096];
        try
        {
            using var reader = new StreamReader(section.Body, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true);
            int read;
            while ((read = await reader.ReadAsync(buffer, cancellationToken)) > 0)
            {
                if (text.Length + read > MaxPathFieldLength)
                {
                    throw new FileEndpointException(StatusCodes.Status400BadRequest, "the path field is too long");
                }
                text.Append(buffer, 0, read);
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            throw new FileEndpointException(StatusCodes.Status500InternalServerError, "error reading form: " + e.Message);
        }
        return text.ToString();
    }

    sealed class PendingFile(int index, string? fileName, StagedFile staged)
    {
        public int Index { get; } = index;
        public string? FileName { get; } = fileName;
        public StagedFile Staged { get; } = staged;
        public bool Claimed { get; set; }
        public bool Committed { get; set; }
    }
}

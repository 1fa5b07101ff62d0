using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>
/// File content in and out of the sandbox over the agent's plain HTTP endpoints
/// (<c>POST /upload</c>, <c>GET /download/&lt;path&gt;</c>): streamed both ways through pooled
/// buffers whatever the size, downloads resumed after a dropped connection, file-level calls
/// that never leave a partial file under the final name, signed URLs, and directory copies that
/// treat the sandbox's listings as hostile. Reached as <see cref="SandboxClient.Transfer"/>.
/// </summary>
/// <remarks>
/// Progress callbacks are invoked on thread-pool threads, at most every 100 ms plus once at the
/// end, with cumulative byte counts. Local I/O failures (a missing local directory, a full
/// disk) surface as the usual <see cref="IOException"/>s; everything about the sandbox as
/// <see cref="SandboxException"/>.
/// </remarks>
public sealed class SandboxFileTransfer
{
    const string AuthorizationHeader = "Authorization";

    // The whole client, not only its connection: moves, appends and tree copies use its file
    // system and processes.
    readonly SandboxClient _client;

    internal SandboxFileTransfer(SandboxClient client)
    {
        _client = client;
    }

    internal HttpClient Http => _client.Connection.Http;

    internal ErrorTranslator Errors => _client.Errors;

    /// <summary>The session's timeout: how long a transfer may make no progress at all.</summary>
    internal TimeSpan Timeout => _client.Options.Timeout;

    internal string Domain => _client.Endpoint.Domain;

    const string UploadAgain = "run the copy again once the agent answers";

    /// <summary>A request to /upload or /download with <c>Authorization: Bearer &lt;user&gt;</c> and the access token.</summary>
    internal HttpRequestMessage NewRequest(HttpMethod method, string relativeUri)
    {
        HttpRequestMessage request = _client.Connection.NewPlainRequest(method, relativeUri);
        request.Headers.TryAddWithoutValidation(AuthorizationHeader, "Bearer " + _client.Options.User);
        return request;
    }

    // ---------------------------------------------------------------- upload

    /// <summary>
    /// Uploads a stream to a sandbox path (parents are created; an existing file is replaced),
    /// reading the stream as the request goes out: it is never held in memory. The content goes
    /// to a hidden staging name beside the destination and is renamed onto it only once the
    /// agent has taken every byte, so a failed or cancelled upload never leaves a partial file
    /// under the final name.
    /// </summary>
    /// <param name="content">Read from its current position to its end. A seekable stream gives the request a Content-Length; any other is sent chunked.</param>
    /// <param name="remotePath">The sandbox file to write.</param>
    /// <param name="bytesSent">Receives the running count of content bytes sent.</param>
    /// <exception cref="SandboxException">
    /// Unauthenticated (401), InvalidArgument (400, e.g. the path is a directory), NotFound (404),
    /// ResourceExhausted (507, disk full), Internal/Unavailable (5xx), Unavailable when the
    /// connection is lost, DeadlineExceeded when it stalls longer than the session's timeout;
    /// Target is <paramref name="remotePath"/>.
    /// </exception>
    public Task<SandboxUploadResult> UploadAsync(Stream content, string remotePath, IProgress<long>? bytesSent = null,
        CancellationToken cancellationToken = default) =>
        UploadAsync(content, remotePath, null, bytesSent, cancellationToken);

    /// <summary>Uploads a stream, optionally hashing and verifying it; see the overload without options.</summary>
    /// <param name="options">SHA-256 settings; an ExpectedSha256 that does not match fails with DataLoss and leaves the destination untouched.</param>
    public Task<SandboxUploadResult> UploadAsync(Stream content, string remotePath, SandboxUploadOptions? options,
        IProgress<long>? bytesSent = null, CancellationToken cancellationToken = default) =>
        UploadAsync(content, remotePath, options, null, bytesSent, cancellationToken);

    /// <param name="localPath">The local file the content is read from, if any, for the result.</param>
    async Task<SandboxUploadResult> UploadAsync(Stream content, string remotePath, SandboxUploadOptions? options, string? localPath,
        IProgress<long>? bytesSent, CancellationToken cancellationToken)
    {
        if (content is null)
        {
            throw new ArgumentNullException(nameof(content));
        }
        if (!content.CanRead)
        {
            throw new ArgumentException("The content stream cannot be read.", nameof(content));
        }
        string leaf = RequireFilePath(remotePath, "upload to");
        string? expected = options?.ExpectedSha256 is { } text ? Hex.NormalizeSha256(text, nameof(options)) : null;
        bool hash = expected is not null || options?.ComputeSha256 == true;
        string staging = StagingPathFor(remotePath);
        // Asked while the content goes to its staging name, which the answer cannot be about.
        Task<SandboxItem?>? lookup = options?.Overwrite == false ? _client.Files.TryGetItemAsync(remotePath, cancellationToken) : null;
        SandboxUploadResult posted = await StageAsync(content, staging, remotePath, hash, expected, lookup, bytesSent, cancellationToken).ConfigureAwait(false);
        return await PlaceAsync(staging, remotePath, leaf, posted, localPath, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The hidden name beside <paramref name="remotePath"/> that its content is uploaded to before it is renamed into place.</summary>
    internal static string StagingPathFor(string remotePath) =>
        SandboxPath.Join(SandboxPath.GetParent(remotePath), RemotePaths.StagingName(SandboxPath.GetLeaf(remotePath)));

    /// <summary>
    /// Posts the content to its staging name. On any failure, cancellation included, what was
    /// staged is removed before the failure is thrown.
    /// </summary>
    /// <param name="lookup">When not null, what is at <paramref name="remotePath"/>: a directory or a file there refuses the upload.</param>
    internal async Task<SandboxUploadResult> StageAsync(Stream content, string staging, string remotePath, bool hash, string? expected,
        Task<SandboxItem?>? lookup, IProgress<long>? bytesSent, CancellationToken cancellationToken)
    {
        try
        {
            SandboxUploadResult posted = await PostAsync(content, staging, remotePath, hash, bytesSent, cancellationToken).ConfigureAwait(false);
            if (expected is not null && posted.Sha256 != expected)
            {
                throw Errors.FromStatus(SandboxErrorCode.DataLoss,
                    $"the {posted.Length} bytes read from the source have SHA-256 {posted.Sha256}, not the expected {expected}; nothing was written",
                    "upload to", remotePath, null);
            }
            if (lookup is not null && TreeTarget.RefuseFile(_client, (await lookup.ConfigureAwait(false))?.Type, remotePath, false, "upload to") is { } refusal)
            {
                throw refusal;
            }
            return posted;
        }
        catch (Exception e)
        {
            // The post's failure is the one to report; the lookup's, if any, is only waited for.
            await SideRequest.WaitQuietlyAsync(lookup).ConfigureAwait(false);
            await TryRemoveAsync(staging).ConfigureAwait(false);
            if (await FileInTheWayAsync(e, remotePath, cancellationToken).ConfigureAwait(false) is { } inTheWay)
            {
                throw inTheWay;
            }
            throw;
        }
    }

    /// <summary>Renames staged content onto <paramref name="remotePath"/>; on failure the staged file is removed.</summary>
    /// <param name="localPath">The local file the content came from, if any, for the result.</param>
    async Task<SandboxUploadResult> PlaceAsync(string staging, string remotePath, string leaf, SandboxUploadResult posted, string? localPath,
        CancellationToken cancellationToken)
    {
        SandboxItem placed;
        try
        {
            placed = await _client.Files.MoveAsync(staging, remotePath, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            await TryRemoveAsync(staging).ConfigureAwait(false);
            if (e is SandboxException moveFailure)
            {
                throw await ExplainFailedRenameAsync(moveFailure, remotePath, cancellationToken).ConfigureAwait(false);
            }
            throw;
        }

        return new SandboxUploadResult
        {
            Path = remotePath,
            Name = leaf,
            Type = posted.Type,
            Length = posted.Length,
            Sha256 = posted.Sha256,
            ServerResponse = posted.ServerResponse,
            Item = ReportedEntry.IfWhole(placed),
            LocalPath = localPath,
        };
    }

    /// <summary>
    /// Adds a stream to the end of a sandbox file, creating it (and its parents) when missing.
    /// The sandbox's <c>/bin/sh</c> appends (see <see cref="RemoteAppend"/>). Text of up to
    /// <see cref="RemoteAppend.InlineMaxBytes"/> from a seekable stream goes inside that command,
    /// in one request, when the file's folder exists; anything else is uploaded to a hidden
    /// staging name beside the file first, so it is streamed, never held in memory, and a failed
    /// upload leaves the file as it was.
    /// </summary>
    /// <returns>The file appended to, with the number of bytes added as its Length.</returns>
    /// <exception cref="SandboxException">As UploadAsync; PermissionDenied or InvalidArgument (a directory) from the append itself.</exception>
    public Task<SandboxUploadResult> AppendAsync(Stream content, string remotePath, CancellationToken cancellationToken = default) =>
        AppendAsync(content, remotePath, null, cancellationToken);

    /// <summary>
    /// As <see cref="AppendAsync(Stream, string, CancellationToken)"/>, starting a file that is new
    /// or empty with <paramref name="preambleIfEmpty"/> (an encoding's byte order mark, say), which
    /// does not belong in the middle of a file.
    /// </summary>
    public async Task<SandboxUploadResult> AppendAsync(Stream content, string remotePath, byte[]? preambleIfEmpty, CancellationToken cancellationToken = default)
    {
        if (content is null)
        {
            throw new ArgumentNullException(nameof(content));
        }
        string leaf = RequireFilePath(remotePath, "append to");
        byte[] preamble = preambleIfEmpty ?? Array.Empty<byte>();
        if (await TryAppendInlineAsync(content, remotePath, preamble, cancellationToken).ConfigureAwait(false) is long added)
        {
            return new SandboxUploadResult { Path = remotePath, Name = leaf, Length = added };
        }
        string staging = StagingPathFor(remotePath);
        SandboxUploadResult posted;
        try
        {
            posted = await PostAsync(content, staging, remotePath, false, null, cancellationToken).ConfigureAwait(false);
            await RemoteAppend.RunAsync(_client.Processes, staging, remotePath, preamble, Errors, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            await TryRemoveAsync(staging).ConfigureAwait(false);
            if (await FileInTheWayAsync(e, remotePath, cancellationToken).ConfigureAwait(false) is { } inTheWay)
            {
                throw inTheWay;
            }
            throw;
        }
        return new SandboxUploadResult { Path = remotePath, Name = leaf, Length = posted.Length };
    }

    /// <summary>
    /// Appends small text in one request; null, with the stream where it was, when the content
    /// is not such text or the file's folder is missing.
    /// </summary>
    async Task<long?> TryAppendInlineAsync(Stream content, string remotePath, byte[] preamble, CancellationToken cancellationToken)
    {
        if (!content.CanSeek || content.Length - content.Position > RemoteAppend.InlineMaxBytes)
        {
            return null;
        }
        long start = content.Position;
        byte[] bytes = new byte[content.Length - start];
        int count = 0;
        while (count < bytes.Length)
        {
            int read = await content.ReadAsync(bytes, count, bytes.Length - count, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }
            count += read;
        }
        if (RemoteAppend.AsInlineText(bytes, count) is string text
            && await RemoteAppend.TryInlineAsync(_client.Processes, text, remotePath, preamble, Errors, cancellationToken).ConfigureAwait(false))
        {
            return count;
        }
        content.Position = start;
        return null;
    }

    /// <summary>Uploads a local file; see <see cref="UploadAsync(Stream, string, IProgress{long}, CancellationToken)"/>.</summary>
    /// <exception cref="FileNotFoundException">The local file does not exist.</exception>
    public Task<SandboxUploadResult> UploadFileAsync(string localPath, string remotePath, IProgress<long>? bytesSent = null,
        CancellationToken cancellationToken = default) =>
        UploadFileAsync(localPath, remotePath, null, bytesSent, cancellationToken);

    /// <summary>Uploads a local file, optionally hashing and verifying it.</summary>
    public async Task<SandboxUploadResult> UploadFileAsync(string localPath, string remotePath, SandboxUploadOptions? options,
        IProgress<long>? bytesSent = null, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(localPath))
        {
            throw new ArgumentException("A local file path is required to upload.", nameof(localPath));
        }
        RequireFilePath(remotePath, "upload to");
        string source = Path.GetFullPath(localPath);
        using FileStream stream = OpenSource(source);
        return await UploadAsync(stream, remotePath, options, source, bytesSent, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts uploading a local file to <paramref name="remotePath"/>'s staging name before the
    /// caller knows it will keep it: alongside the lookups that decide (is a file there already?),
    /// so that a copy of one file costs two round trips, the post and the rename, instead of three.
    /// Give it to <see cref="UploadFileAsync(SandboxUploadRequest, IProgress{long}, CancellationToken)"/>
    /// to rename it into place; dispose it either way (untaken, the post is cancelled and what it
    /// staged removed).
    /// </summary>
    /// <exception cref="ArgumentException">The remote path names a directory, or is empty.</exception>
    /// <exception cref="IOException">The local file cannot be opened.</exception>
    public SandboxUploadRequest BeginUpload(string localPath, string remotePath, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(localPath))
        {
            throw new ArgumentException("A local file path is required to upload.", nameof(localPath));
        }
        RequireFilePath(remotePath, "upload to");
        return new SandboxUploadRequest(this, Path.GetFullPath(localPath), remotePath, cancellationToken);
    }

    /// <summary>
    /// Renames what <paramref name="begun"/> uploaded onto its remote path, once the post is done:
    /// as <see cref="UploadFileAsync(string, string, IProgress{long}, CancellationToken)"/>, whose
    /// errors it throws. <paramref name="bytesSent"/> hears the length once the post is done. The
    /// caller still disposes <paramref name="begun"/>.
    /// </summary>
    public async Task<SandboxUploadResult> UploadFileAsync(SandboxUploadRequest begun, IProgress<long>? bytesSent = null,
        CancellationToken cancellationToken = default)
    {
        if (begun is null)
        {
            throw new ArgumentNullException(nameof(begun));
        }
        SandboxUploadResult posted = await begun.TakeAsync(cancellationToken).ConfigureAwait(false);
        bytesSent?.Report(posted.Length);
        return await PlaceAsync(begun.StagingPath, begun.RemotePath, SandboxPath.GetLeaf(begun.RemotePath), posted, begun.LocalPath, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A local file opened to be sent: read once, front to back, by the upload's own buffers.</summary>
    static FileStream OpenSource(string path) =>
        new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.Asynchronous | FileOptions.SequentialScan);

    /// <summary>Posts a local file to a staging name for <see cref="SandboxUploadRequest"/>: see <see cref="StageAsync"/>.</summary>
    internal async Task<SandboxUploadResult> StageFileAsync(string localPath, string staging, string remotePath, CancellationToken cancellationToken)
    {
        using FileStream stream = OpenSource(localPath);
        return await StageAsync(stream, staging, remotePath, false, null, null, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The agent answers an upload below a file as an internal error; this says which file is in the way.</summary>
    Task<SandboxException?> FileInTheWayAsync(Exception failure, string remotePath, CancellationToken cancellationToken) =>
        failure is SandboxException { Code: SandboxErrorCode.Internal } internalError
            ? _client.Files.FileInTheWayAsync(remotePath, internalError, SandboxErrorCode.FailedPrecondition, "write", cancellationToken)
            : Task.FromResult<SandboxException?>(null);

    async Task<SandboxUploadResult> PostAsync(Stream content, string destination, string reportedPath, bool computeSha256,
        IProgress<long>? bytesSent, CancellationToken cancellationToken)
    {
        var progress = new ProgressThrottle(bytesSent);
        // The caller's cancellation ends the request through this, not directly: see below.
        using var ending = new CancellationTokenSource();
        using var watchdog = new IdleWatchdog(ending.Token, Timeout);
        using var file = new StreamingUploadContent(content, watchdog, progress, computeSha256);
        // Cancelled mid-body, the request is cut and the agent keeps nothing. Cancelled once the
        // whole body went out, the agent may be renaming the file onto its staging name right
        // now; cutting the request then would let the caller's clean-up run first and leave the
        // file behind, so the answer is awaited (a little while at most) before the clean-up.
        using CancellationTokenRegistration whenCancelled = cancellationToken.Register(() =>
        {
            if (file.TryStopBeforeEnd())
            {
                ending.Cancel();
            }
            else
            {
                ending.CancelAfter(CleanupTimeout);
            }
        });
        using MultipartFormDataContent form = UploadForm.Create(file, destination);
        using HttpRequestMessage request = NewRequest(HttpMethod.Post, AgentHttpRoutes.Upload);
        request.Content = form;

        HttpResponseMessage response;
        try
        {
            response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, watchdog.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (!(e is SandboxException))
        {
            throw UploadFailure(e, file, watchdog, reportedPath, cancellationToken);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw await AgentHttpErrors.FromResponseAsync(response, Errors, "upload", reportedPath, watchdog.Token).ConfigureAwait(false);
            }
            if (!file.Completed)
            {
                // Success for a body it did not read to the end: not something to trust.
                throw Errors.FromStatus(SandboxErrorCode.DataLoss,
                    $"the agent answered {(int)response.StatusCode} after only {file.BytesSent} bytes had been sent", "upload", reportedPath, null);
            }
            string body;
            try
            {
                body = await AgentHttpErrors.ReadTextAsync(response.Content, AgentHttpErrors.MaxBodyBytes, watchdog.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (!(e is SandboxException))
            {
                throw UploadFailure(e, file, watchdog, reportedPath, cancellationToken);
            }
            progress.Complete(file.BytesSent);
            return new SandboxUploadResult
            {
                Path = destination,
                Type = UploadResponse.TypeOf(body),
                Length = file.BytesSent,
                Sha256 = file.Sha256,
                ServerResponse = body.Length == 0 ? null : AgentHttpErrors.Shorten(_client.Options.AccessToken.Redact(body.Trim())),
            };
        }
    }

    Exception UploadFailure(Exception error, StreamingUploadContent file, IdleWatchdog watchdog, string remotePath, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return new OperationCanceledException($"The upload to '{remotePath}' was cancelled.", error, cancellationToken);
        }
        if (file.SourceFailure is { } local)
        {
            // Reading the content failed (a local disk, a source that changed size): say so, not "connection lost".
            return new IOException($"Reading the content to upload to '{remotePath}' failed after {file.BytesSent} bytes: {local.Message}", local);
        }
        string sent = file.DeclaredLength is long total ? $"{file.BytesSent} of {total} bytes" : $"{file.BytesSent} bytes";
        if (watchdog.Fired)
        {
            return new SandboxException(SandboxErrorCode.DeadlineExceeded,
                $"The upload to '{EchoedText.Value(remotePath)}' made no progress for {watchdog.Idle.TotalSeconds:0.#} s after {sent} had been sent: "
                + $"the sandbox agent at '{Domain}' may be frozen or unreachable. Nothing was written under that name; {UploadAgain}.",
                null, remotePath, Domain, error);
        }
        if (error is HttpRequestException || error is IOException || error is OperationCanceledException || error is ObjectDisposedException)
        {
            return Errors.FromStatus(SandboxErrorCode.Unavailable,
                $"the connection was lost after {sent} had been sent ({ResumableDownload.Innermost(error).Message}); the upload did not complete "
                + $"and nothing was written under that name; {UploadAgain}",
                "upload", remotePath, error);
        }
        return Errors.Translate(error, "upload", remotePath, cancellationToken);
    }

    /// <summary>The rename onto the destination failed: a directory there is the usual reason.</summary>
    async Task<Exception> ExplainFailedRenameAsync(SandboxException failure, string remotePath, CancellationToken cancellationToken)
    {
        try
        {
            SandboxItem existing = await _client.Files.GetItemAsync(remotePath, cancellationToken).ConfigureAwait(false);
            if (existing.IsDirectory)
            {
                return Errors.FromStatus(SandboxErrorCode.InvalidArgument, "it is a directory", "upload to", remotePath, failure);
            }
        }
        catch (SandboxException)
        {
        }
        return Errors.FromStatus(failure.Code, failure.ServerMessage, "upload to", remotePath, failure);
    }

    /// <summary>
    /// Best effort: a staging file left by a failed upload is removed. Bounded to a few seconds,
    /// so that a dead network does not hold back the error the caller is waiting for.
    /// </summary>
    internal async Task TryRemoveAsync(string staging)
    {
        using var limit = new CancellationTokenSource(CleanupTimeout < Timeout || Timeout <= TimeSpan.Zero ? CleanupTimeout : Timeout);
        try
        {
            await _client.Files.RemoveAsync(staging, limit.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SandboxException || e is ObjectDisposedException || e is OperationCanceledException)
        {
        }
    }

    static readonly TimeSpan CleanupTimeout = TimeSpan.FromSeconds(5);

    // ---------------------------------------------------------------- download

    /// <summary>
    /// Downloads a sandbox file into a stream, copying as the bytes arrive (never the whole file
    /// in memory). When the connection drops mid-body, the rest is asked for from the byte
    /// already written (<c>Range</c> + <c>If-Range</c>), up to <see cref="SandboxDownloadOptions.MaxResumeAttempts"/> times.
    /// </summary>
    /// <param name="destination">Written at its current position; not seeked, flushed or closed.</param>
    /// <exception cref="SandboxException">
    /// NotFound (404), InvalidArgument (400: a directory), Unauthenticated (401); Aborted when
    /// the file changed between a drop and the resume (nothing is spliced); DataLoss when the
    /// SHA-256 is not the expected one; Unavailable when the connection is lost for good. After
    /// a failure <paramref name="destination"/> holds partial data: <see cref="DownloadFileAsync(string, string, bool, SandboxDownloadOptions, IProgress{long}, CancellationToken)"/>
    /// discards it for you.
    /// </exception>
    public Task<SandboxDownloadResult> DownloadAsync(string remotePath, Stream destination, SandboxDownloadOptions? options = null,
        IProgress<long>? bytesReceived = null, CancellationToken cancellationToken = default)
    {
        RequirePath(remotePath, "download");
        if (destination is null)
        {
            throw new ArgumentNullException(nameof(destination));
        }
        if (!destination.CanWrite)
        {
            throw new ArgumentException("The destination stream cannot be written.", nameof(destination));
        }
        return new ResumableDownload(this, remotePath, options).RunAsync(destination, bytesReceived, cancellationToken);
    }

    /// <summary>
    /// Sends a download's first request now, before the caller has decided to take it, so that it
    /// travels alongside whatever decides (a lookup of the path, say): see <see cref="SandboxDownloadRequest"/>.
    /// </summary>
    /// <param name="cancellationToken">Ends the request while no download has taken it.</param>
    public SandboxDownloadRequest BeginDownload(string remotePath, CancellationToken cancellationToken = default)
    {
        RequirePath(remotePath, "download");
        return new SandboxDownloadRequest(this, remotePath, cancellationToken);
    }

    /// <summary>
    /// Downloads a sandbox file to a local file. The bytes go to a hidden temporary file in the
    /// target's directory, which is renamed onto the target only when complete and verified;
    /// on failure or cancellation it is deleted and the target is left as it was.
    /// </summary>
    /// <param name="localPath">The file to write; its directory must exist.</param>
    /// <param name="overwrite">Replace an existing file. Without it an existing target is an AlreadyExists error, raised before anything is transferred.</param>
    /// <exception cref="SandboxException">AlreadyExists (Target is the local path), and all of <see cref="DownloadAsync"/>'s.</exception>
    public Task<SandboxDownloadResult> DownloadFileAsync(string remotePath, string localPath, bool overwrite = false,
        SandboxDownloadOptions? options = null, IProgress<long>? bytesReceived = null, CancellationToken cancellationToken = default)
    {
        RequirePath(remotePath, "download");
        return DownloadFileAsync(remotePath, null, localPath, overwrite, options, bytesReceived, cancellationToken);
    }

    /// <summary>
    /// As <see cref="DownloadFileAsync(string, string, bool, SandboxDownloadOptions, IProgress{long}, CancellationToken)"/>,
    /// taking <paramref name="begun"/>'s answer as the first one. The caller still disposes <paramref name="begun"/>.
    /// </summary>
    public Task<SandboxDownloadResult> DownloadFileAsync(SandboxDownloadRequest begun, string localPath, bool overwrite = false,
        SandboxDownloadOptions? options = null, IProgress<long>? bytesReceived = null, CancellationToken cancellationToken = default)
    {
        if (begun is null)
        {
            throw new ArgumentNullException(nameof(begun));
        }
        return DownloadFileAsync(begun.RemotePath, begun, localPath, overwrite, options, bytesReceived, cancellationToken);
    }

    async Task<SandboxDownloadResult> DownloadFileAsync(string remotePath, SandboxDownloadRequest? begun, string localPath, bool overwrite,
        SandboxDownloadOptions? options, IProgress<long>? bytesReceived, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(localPath))
        {
            throw new ArgumentException("A local file path is required to download to.", nameof(localPath));
        }
        string target = Path.GetFullPath(localPath);
        if (Directory.Exists(target))
        {
            throw new SandboxException(SandboxErrorCode.InvalidArgument,
                $"'{target}' is a directory; give the path of the file to write.", null, target, _client.Endpoint.Domain);
        }
        if (!overwrite && File.Exists(target))
        {
            throw LocalAlreadyExists(target);
        }

        SandboxDownloadResult result;
        using (LocalStagingFile staging = LocalStagingFile.Create(target))
        {
            result = await new ResumableDownload(this, remotePath, options, begun).RunAsync(staging.Stream, bytesReceived, cancellationToken).ConfigureAwait(false);
            await staging.Stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            bool committed;
            try
            {
                committed = staging.Commit(overwrite);
            }
            catch (IOException) when (!overwrite && File.Exists(target))
            {
                committed = false; // created by someone else meanwhile
            }
            if (!committed)
            {
                throw LocalAlreadyExists(target);
            }
        }
        return new SandboxDownloadResult
        {
            RemotePath = result.RemotePath,
            LocalPath = target,
            Length = result.Length,
            ETag = result.ETag,
            LastModified = result.LastModified,
            Sha256 = result.Sha256,
            ResumeCount = result.ResumeCount,
        };
    }

    /// <summary>
    /// Opens a sandbox file for reading as it streams in, for callers that consume it lazily
    /// (e.g. line by line). Disposing the stream ends the request. No resume: a lost connection
    /// surfaces from Read as a SandboxException (Unavailable).
    /// </summary>
    /// <exception cref="SandboxException">As <see cref="DownloadAsync"/>, raised before the stream is returned.</exception>
    public Task<Stream> OpenReadAsync(string remotePath, CancellationToken cancellationToken = default) =>
        OpenReadAsync(remotePath, 0, cancellationToken);

    /// <summary>
    /// Opens a sandbox file for reading from byte <paramref name="offset"/> on (a Range
    /// request: only that part is transferred). An offset at or past the end gives an empty stream.
    /// A read of the stream that waits longer than the session's timeout for bytes fails with
    /// DeadlineExceeded; a lost connection with Unavailable (neither is resumed).
    /// </summary>
    public async Task<Stream> OpenReadAsync(string remotePath, long offset, CancellationToken cancellationToken = default)
    {
        RequirePath(remotePath, "read");
        if (offset < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), offset, "The offset cannot be negative.");
        }
        HttpResponseMessage response = await SendReadAsync(remotePath, offset > 0 ? new RangeHeaderValue(offset, null) : null, cancellationToken).ConfigureAwait(false);
        try
        {
            if (offset > 0 && response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
            {
                response.Dispose();
                return Stream.Null; // nothing at or past the end
            }
            if (offset > 0 && response.StatusCode == HttpStatusCode.OK)
            {
                // The range was ignored: refuse rather than hand out bytes from the wrong place.
                throw RangeIgnored(remotePath);
            }
            if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
            {
                throw await AgentHttpErrors.FromResponseAsync(response, Errors, "read", remotePath, cancellationToken).ConfigureAwait(false);
            }
            return await BodyOfAsync(response, remotePath).ConfigureAwait(false);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The last <paramref name="length"/> bytes of a file (all of a smaller one) in one request, with
    /// where they start and the file's size, from a suffix range (<c>Range: bytes=-N</c>), which
    /// needs no size known beforehand. Null when the answer does not say where the bytes start (an
    /// empty file's odd <c>Content-Range</c>, say): the caller then asks for the size.
    /// </summary>
    internal async Task<(byte[] Bytes, long Start, long Size)?> ReadEndAsync(string remotePath, int length, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await SendReadAsync(remotePath, new RangeHeaderValue(null, length), cancellationToken).ConfigureAwait(false);
        ContentRangeHeaderValue? range = response.Content.Headers.ContentRange;
        long? start = response.StatusCode switch
        {
            HttpStatusCode.PartialContent when range is { HasRange: true, HasLength: true } && range.To - range.From + 1 <= length => range.From,
            // The range ignored: the whole file, taken only when it is no larger than asked for.
            HttpStatusCode.OK when response.Content.Headers.ContentLength <= length => 0,
            HttpStatusCode.OK => throw RangeIgnored(remotePath),
            _ => null,
        };
        if (start is not long from)
        {
            return null;
        }
        using ResponseBodyStream body = await BodyOfAsync(response, remotePath).ConfigureAwait(false);
        var bytes = new MemoryStream(length);
        await body.CopyToAsync(bytes, 81920, cancellationToken).ConfigureAwait(false);
        return (bytes.ToArray(), from, range?.Length ?? bytes.Length);
    }

    /// <summary>
    /// A file's body as a stream that owns <paramref name="response"/>: a lost connection is
    /// Unavailable; a read that waits longer than the session's timeout for bytes is
    /// DeadlineExceeded (nothing else would end it while the connection stays open).
    /// </summary>
    async Task<ResponseBodyStream> BodyOfAsync(HttpResponseMessage response, string remotePath)
    {
        Stream body = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
        TimeSpan allowance = Timeout;
        return new ResponseBodyStream(response, body, allowance, (error, position, stalled) => stalled
            ? new SandboxException(SandboxErrorCode.DeadlineExceeded,
                $"The read of '{EchoedText.Value(remotePath)}' stopped after {position} bytes: the sandbox agent at '{Domain}' sent nothing more for "
                + $"{TimeLimit.InSeconds(allowance)} (the session's timeout). The connection may have stalled; read the file again, or raise the session's timeout if the agent is that slow.",
                null, remotePath, Domain, error)
            : Errors.FromStatus(SandboxErrorCode.Unavailable,
                $"the connection was lost after {position} bytes had been read ({ResumableDownload.Innermost(error).Message})", "read", remotePath, error));
    }

    SandboxException RangeIgnored(string remotePath) =>
        Errors.FromStatus(SandboxErrorCode.Unimplemented, "the agent answered a range request with the whole file", "read", remotePath, null);

    /// <summary>
    /// Sends a GET of the file (with <paramref name="range"/>, when given) and returns the answer
    /// once its headers are in when it is 200, 206 or 416; any other is thrown as the agent's error.
    /// </summary>
    async Task<HttpResponseMessage> SendReadAsync(string remotePath, RangeHeaderValue? range, CancellationToken cancellationToken)
    {
        using var watchdog = new IdleWatchdog(cancellationToken, Timeout);
        HttpResponseMessage response;
        using (HttpRequestMessage request = NewRequest(HttpMethod.Get, RemotePaths.DownloadUriPath(remotePath)))
        {
            request.Headers.Range = range;
            try
            {
                response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, watchdog.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (!(e is SandboxException))
            {
                throw watchdog.Fired
                    ? Errors.FromStatus(SandboxErrorCode.DeadlineExceeded, $"no answer for {watchdog.Idle.TotalSeconds:0.#} s", "read", remotePath, e)
                    : Errors.Translate(e, "read", remotePath, cancellationToken);
            }
        }
        if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.PartialContent or HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            return response;
        }
        using (response)
        {
            throw await AgentHttpErrors.FromResponseAsync(response, Errors, "read", remotePath, watchdog.Token).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Copies a file of this sandbox to another sandbox (or another path of this one), streamed
    /// through this machine without keeping it: see <see cref="SandboxToSandboxCopy"/>.
    /// </summary>
    public Task<SandboxUploadResult> CopyToAsync(string remotePath, SandboxClient target, string targetPath, IProgress<long>? bytesSent = null,
        CancellationToken cancellationToken = default)
    {
        RequirePath(remotePath, "copy");
        return SandboxToSandboxCopy.CopyFileAsync(_client, remotePath, target ?? throw new ArgumentNullException(nameof(target)), targetPath, bytesSent, cancellationToken);
    }

    /// <summary>
    /// Copies a directory tree of this sandbox to another sandbox, file by file, streamed,
    /// <see cref="SandboxTreeCopyOptions.MaxParallelFiles"/> at a time; one outcome per item as it finishes.
    /// </summary>
    public IAsyncEnumerable<SandboxTransferOutcome> CopyDirectoryToAsync(string remoteDirectory, SandboxClient target, string targetDirectory,
        SandboxTreeCopyOptions? options = null, CancellationToken cancellationToken = default)
    {
        RequirePath(remoteDirectory, "copy");
        return SandboxToSandboxCopy.CopyDirectoryAsync(_client, remoteDirectory, target ?? throw new ArgumentNullException(nameof(target)), targetDirectory,
            options ?? new SandboxTreeCopyOptions(), cancellationToken);
    }

    /// <summary>
    /// The last <paramref name="lineCount"/> lines of a sandbox file (LF-separated bytes), read
    /// with Range requests from the end: a large file is not transferred whole.
    /// </summary>
    public Task<SandboxFileTail> ReadLastLinesAsync(string remotePath, int lineCount, CancellationToken cancellationToken = default)
    {
        RequirePath(remotePath, "read");
        return FileTail.ReadLastLinesAsync(this, _client.Files, remotePath, lineCount, cancellationToken);
    }

    /// <summary>
    /// Follows a sandbox file as it grows, from <paramref name="offset"/> on, until cancelled:
    /// each chunk is what was added since the last check, every <paramref name="pollInterval"/>.
    /// </summary>
    public IAsyncEnumerable<SandboxFileChunk> FollowAsync(string remotePath, long offset, TimeSpan pollInterval, CancellationToken cancellationToken = default)
    {
        RequirePath(remotePath, "follow");
        return FileTail.FollowAsync(this, _client.Files, remotePath, offset, pollInterval, cancellationToken);
    }

    // ---------------------------------------------------------------- signed URLs

    /// <summary>
    /// A link that reads (downloads) or writes (uploads) one path without any header, signed
    /// with this session's token; see <see cref="SandboxSignedUrl"/>. Anyone holding it can use it.
    /// </summary>
    /// <param name="expiresIn">How long it works from now; null for no expiry (discouraged).</param>
    /// <param name="user">The sandbox user it acts as; null uses the session's user.</param>
    public Uri GetSignedUrl(string path, SandboxFileOperation operation, TimeSpan? expiresIn = null, string? user = null)
    {
        RequirePath(path, "sign a URL for");
        if (expiresIn is TimeSpan span && span <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(expiresIn), span, "The link's lifetime must be positive.");
        }
        DateTimeOffset? expiresAt = expiresIn is TimeSpan lifetime ? DateTimeOffset.UtcNow + lifetime : (DateTimeOffset?)null;
        return SandboxSignedUrl.Create(_client.Endpoint, path, operation, user ?? _client.Options.User, _client.Options.AccessToken, expiresAt);
    }

    // ---------------------------------------------------------------- directories

    /// <summary>
    /// Copies a sandbox directory tree into a local directory (created if missing), one file at
    /// a time, yielding one outcome per listed entry as it goes. The listing is treated as
    /// hostile: entries whose name is empty, absolute, has <c>..</c>, NUL, a backslash or a
    /// drive prefix, that lie outside the requested directory, or that would resolve outside
    /// the local destination are Skipped (<see cref="SandboxTransferReason.UnsafePath"/>).
    /// Symbolic links: a link to a directory is never followed; a link to a file is copied (as
    /// the file) only when its target resolves inside the copied tree without passing through
    /// another link, else Skipped (<see cref="SandboxTransferReason.SymbolicLink"/>). Files are
    /// written with <see cref="DownloadFileAsync(string, string, bool, SandboxDownloadOptions, IProgress{long}, CancellationToken)"/> (temporary name, then rename). A new local
    /// directory may instead be filled from one tar stream made by the sandbox's tar
    /// (<see cref="SandboxTreeCopyOptions.Packing"/>): then only the archive's regular files and
    /// directories under safe names are written, and every link in it is Skipped.
    /// </summary>
    /// <exception cref="SandboxException">
    /// From the enumeration, when nothing can go on: the directory is missing or not a directory,
    /// the token is rejected, or the agent cannot be reached. Per-item failures are outcomes.
    /// </exception>
    public IAsyncEnumerable<SandboxTransferOutcome> DownloadDirectoryAsync(string remoteDirectory, string localDirectory,
        SandboxTreeCopyOptions? options = null, IProgress<SandboxTransferProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        RequirePath(remoteDirectory, "download");
        RequireLocalDestination(localDirectory);
        return DirectoryDownload.RunAsync(_client, remoteDirectory, localDirectory, options ?? new SandboxTreeCopyOptions(), progress, cancellationToken);
    }

    /// <summary>
    /// As <see cref="DownloadDirectoryAsync(string, string, SandboxTreeCopyOptions, IProgress{SandboxTransferProgress}, CancellationToken)"/>,
    /// for a directory the caller has already looked up, with its recursive listing
    /// (<see cref="SandboxFileSystem.GetChildItemsAsync"/> at <see cref="SandboxFileSystem.RecursiveDepth"/>,
    /// asked for at <paramref name="directory"/>'s path): a caller that asks for both at once copies
    /// the tree a round trip sooner. The listing is treated as hostile, as the copy's own would be.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="directory"/> is not a directory.</exception>
    public IAsyncEnumerable<SandboxTransferOutcome> DownloadDirectoryAsync(SandboxItem directory, IReadOnlyList<SandboxItem> listing, string localDirectory,
        SandboxTreeCopyOptions? options = null, IProgress<SandboxTransferProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        RequireListedDirectory(directory, listing, "The item to download as a tree", nameof(directory));
        RequireLocalDestination(localDirectory);
        return DirectoryDownload.RunAsync(_client, directory.Path, directory, listing, localDirectory, options ?? new SandboxTreeCopyOptions(), progress, cancellationToken);
    }

    /// <summary>
    /// Copies a local directory tree into a sandbox directory (created if missing; existing
    /// directories are merged into), one file at a time, yielding one outcome per local entry.
    /// Links and junctions: a link to a directory is never entered; a link to a file is
    /// uploaded only when its final target lies inside the local directory. Without
    /// <see cref="SandboxTreeCopyOptions.Overwrite"/> a file that already exists in the sandbox
    /// is a Failed outcome with <see cref="SandboxTransferReason.AlreadyExists"/>. A new sandbox
    /// directory may instead be sent as one tar stream and unpacked by the sandbox's tar
    /// (<see cref="SandboxTreeCopyOptions.Packing"/>); it then appears only once complete.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The local directory does not exist (raised at once).</exception>
    public IAsyncEnumerable<SandboxTransferOutcome> UploadDirectoryAsync(string localDirectory, string remoteDirectory,
        SandboxTreeCopyOptions? options = null, IProgress<SandboxTransferProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        RequirePath(remoteDirectory, "upload to");
        string localRoot = ExistingLocalDirectory(localDirectory);
        return DirectoryUpload.RunAsync(_client, localRoot, remoteDirectory, options ?? new SandboxTreeCopyOptions(), progress, null, cancellationToken);
    }

    /// <summary>
    /// As <see cref="UploadDirectoryAsync(string, string, SandboxTreeCopyOptions, IProgress{SandboxTransferProgress}, CancellationToken)"/>,
    /// into an existing sandbox directory the caller has already looked up, with its recursive
    /// listing (<see cref="SandboxFileSystem.GetChildItemsAsync"/> at <see cref="SandboxFileSystem.RecursiveDepth"/>,
    /// asked for at <paramref name="destination"/>'s path): a caller that asks for both at once
    /// merges the tree a round trip sooner. Files the listing shows are what
    /// <see cref="SandboxTreeCopyOptions.Overwrite"/> guards; entries outside the directory are ignored.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is not a directory.</exception>
    /// <exception cref="DirectoryNotFoundException">The local directory does not exist (raised at once).</exception>
    public IAsyncEnumerable<SandboxTransferOutcome> UploadDirectoryAsync(string localDirectory, SandboxItem destination, IReadOnlyList<SandboxItem> listing,
        SandboxTreeCopyOptions? options = null, IProgress<SandboxTransferProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        RequireListedDirectory(destination, listing, "The destination to merge a tree into", nameof(destination));
        string localRoot = ExistingLocalDirectory(localDirectory);
        RemoteTreeIndex known = RemoteTreeIndex.FromListing(listing, destination.Path, destination.Path);
        return DirectoryUpload.RunAsync(_client, localRoot, destination.Path, options ?? new SandboxTreeCopyOptions(), progress, known, cancellationToken);
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>The local directory a tree is uploaded from, in full, without a trailing separator.</summary>
    /// <exception cref="DirectoryNotFoundException">It does not exist.</exception>
    static string ExistingLocalDirectory(string localDirectory)
    {
        if (string.IsNullOrEmpty(localDirectory))
        {
            throw new ArgumentException("A local directory is required to upload.", nameof(localDirectory));
        }
        string localRoot = TreePathMapper.TrimSeparator(Path.GetFullPath(localDirectory));
        if (!Directory.Exists(localRoot))
        {
            throw new DirectoryNotFoundException($"The local directory '{localRoot}' does not exist.");
        }
        return localRoot;
    }

    /// <summary>A tree's sandbox end given as an item with its listing: a directory, and a listing (which may be empty).</summary>
    static void RequireListedDirectory(SandboxItem directory, IReadOnlyList<SandboxItem> listing, string role, string parameterName)
    {
        if (directory is null || !directory.IsDirectory)
        {
            throw new ArgumentException($"{role} must be a directory.", parameterName);
        }
        if (listing is null)
        {
            throw new ArgumentNullException(nameof(listing));
        }
    }

    static void RequireLocalDestination(string localDirectory)
    {
        if (string.IsNullOrEmpty(localDirectory))
        {
            throw new ArgumentException("A local directory is required to download into.", nameof(localDirectory));
        }
    }

    static void RequirePath(string path, string operation)
    {
        if (string.IsNullOrEmpty(path))
        {
            throw new ArgumentException($"A sandbox path is required to {operation}.", nameof(path));
        }
        if (path.IndexOf('\0') >= 0)
        {
            throw new ArgumentException($"The sandbox path to {operation} contains a NUL character.", nameof(path));
        }
    }

    /// <returns>The file's name (last segment).</returns>
    static string RequireFilePath(string path, string operation)
    {
        RequirePath(path, operation);
        string leaf = SandboxPath.GetLeaf(path);
        if (leaf.Length == 0 || leaf == "." || leaf == ".." || path[path.Length - 1] == SandboxPath.Separator)
        {
            throw new ArgumentException($"'{path}' names a directory; give the path of the file to {operation}.", nameof(path));
        }
        return leaf;
    }

    SandboxException LocalAlreadyExists(string target) =>
        new SandboxException(SandboxErrorCode.AlreadyExists,
            $"The local file '{target}' already exists. Allow overwriting to replace it.", null, target, _client.Endpoint.Domain);
}

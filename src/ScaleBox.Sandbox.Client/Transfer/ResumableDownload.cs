using System;
using System.Buffers;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using ScaleBox.Sandbox.Client.Errors;

namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>
/// One download, possibly over several requests. The body is copied through one pooled buffer
/// (hashing as it goes); when the connection drops mid-body, the rest is asked for with
/// <c>Range: bytes=N-</c> guarded by <c>If-Range</c> (the first response's strong ETag, else its
/// Last-Modified), so the agent sends the rest only if the file is still the same one. An
/// answer of 200 instead of 206 means it changed: the download fails rather than splice two
/// versions. Without any validator a dropped download fails instead of resuming blind.
/// </summary>
internal sealed class ResumableDownload
{
    const string Operation = "download";
    static readonly TimeSpan MaxResumeDelay = TimeSpan.FromSeconds(5);
    /// <summary>
    /// After a silent drop, how long the one resume request may wait for its headers: an agent
    /// that answers at all answers quickly, and a frozen one should not cost another idle period.
    /// </summary>
    internal static readonly TimeSpan ResumeAnswerLimit = TimeSpan.FromSeconds(4);
    const string RunAgain = "run the copy again once the agent answers";

    readonly SandboxFileTransfer _transfer;
    readonly string _remotePath;
    readonly string _uriPath;
    readonly SandboxDownloadOptions _options;
    readonly string? _expectedSha256;
    readonly TimeSpan _idle;
    SandboxDownloadRequest? _begun;

    /// <param name="begun">A first request sent before the download was decided on, taken over as its first answer.</param>
    public ResumableDownload(SandboxFileTransfer transfer, string remotePath, SandboxDownloadOptions? options, SandboxDownloadRequest? begun = null)
    {
        _transfer = transfer;
        _begun = begun;
        _remotePath = remotePath;
        _uriPath = RemotePaths.DownloadUriPath(remotePath);
        _options = options?.Clone() ?? new SandboxDownloadOptions();
        if (_options.MaxResumeAttempts < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), _options.MaxResumeAttempts, "MaxResumeAttempts cannot be negative.");
        }
        if (_options.ResumeDelay < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), _options.ResumeDelay, "ResumeDelay cannot be negative.");
        }
        _expectedSha256 = _options.ExpectedSha256 is null ? null : Hex.NormalizeSha256(_options.ExpectedSha256, nameof(options));
        _idle = _options.IdleTimeout ?? transfer.Timeout;
    }

    ErrorTranslator Errors => _transfer.Errors;

    public async Task<SandboxDownloadResult> RunAsync(Stream destination, IProgress<long>? bytesReceived, CancellationToken cancellationToken)
    {
        var progress = new ProgressThrottle(bytesReceived);
        using IncrementalHash? hash = _options.ComputeSha256 || _expectedSha256 is not null
            ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256)
            : null;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(StreamingUploadContent.BufferSize);

        long written = 0;
        long? total = null;
        EntityTagHeaderValue? etag = null;
        DateTimeOffset? lastModified = null;
        RangeConditionHeaderValue? guard = null;
        int resumes = 0;
        bool first = true;
        bool afterSilence = false;
        try
        {
            while (true)
            {
                // Once the agent has gone silent, only one short attempt to resume is made.
                using var watchdog = new IdleWatchdog(cancellationToken, afterSilence ? Shorter(_idle, ResumeAnswerLimit) : _idle);
                HttpResponseMessage response;
                try
                {
                    response = await SendAsync(first, written, guard, watchdog.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (!first && IsDrop(e, cancellationToken))
                {
                    // The resume request itself failed to connect or was cut before its headers.
                    // Refused: nothing listens any more (the agent died), and asking again will not
                    // change that. Silent again: the agent is frozen or unreachable. Both end here.
                    if (IsRefused(e) || afterSilence)
                    {
                        throw GaveUp(e, watchdog, written, total);
                    }
                    resumes = await ResumeOrThrowAsync(e, watchdog, guard, resumes, written, total, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                catch (Exception e) when (!(e is SandboxException))
                {
                    throw Translate(e, watchdog, cancellationToken);
                }

                using (response)
                {
                    if (first)
                    {
                        if (response.StatusCode != HttpStatusCode.OK)
                        {
                            throw await AgentHttpErrors.FromResponseAsync(response, Errors, Operation, _remotePath, watchdog.Token).ConfigureAwait(false);
                        }
                        total = response.Content.Headers.ContentLength;
                        etag = response.Headers.ETag;
                        lastModified = response.Content.Headers.LastModified;
                        guard = etag is { IsWeak: false } ? new RangeConditionHeaderValue(etag)
                            : lastModified is DateTimeOffset modified ? new RangeConditionHeaderValue(modified)
                            : null;
                        first = false;
                    }
                    else
                    {
                        bool complete = await CheckResumeResponseAsync(response, written, total, watchdog.Token).ConfigureAwait(false);
                        if (complete)
                        {
                            break;
                        }
                        total ??= response.Content.Headers.ContentRange?.Length;
                    }

                    Exception? drop = null;
                    using (Stream body = await response.Content.ReadAsStreamAsync().ConfigureAwait(false))
                    {
                        bool ended = false;
                        while (!ended && drop is null)
                        {
                            // The buffer is filled before it is written: over HTTP/2 a read hands out
                            // about one 16 KiB frame, and each local write is a system call. Every
                            // read feeds the watchdog, however slowly the buffer fills.
                            int read = 0;
                            try
                            {
                                while (read < buffer.Length)
                                {
                                    int got = await body.ReadAsync(buffer, read, buffer.Length - read, watchdog.Token).ConfigureAwait(false);
                                    if (got == 0)
                                    {
                                        ended = true;
                                        break;
                                    }
                                    read += got;
                                    watchdog.Pet();
                                }
                            }
                            catch (Exception e) when (IsDrop(e, cancellationToken))
                            {
                                drop = e; // what came before the drop is kept, and the resume starts after it
                            }
                            if (read == 0)
                            {
                                continue;
                            }
                            // Local writes are the caller's business: their failures are not network drops.
                            await destination.WriteAsync(buffer, 0, read, cancellationToken).ConfigureAwait(false);
                            hash?.AppendData(buffer, 0, read);
                            written += read;
                            watchdog.Pet();
                            progress.Report(written);
                        }
                    }

                    if (drop is null && total is long expected && written != expected)
                    {
                        if (written > expected)
                        {
                            throw Errors.FromStatus(SandboxErrorCode.DataLoss,
                                $"the agent sent {written} bytes after announcing {expected}", Operation, _remotePath, null);
                        }
                        drop = new IOException($"The response ended after {written} of {expected} bytes.");
                    }
                    if (drop is null)
                    {
                        break;
                    }
                    afterSilence = watchdog.Fired;
                    resumes = await ResumeOrThrowAsync(drop, watchdog, guard, resumes, written, total, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested && !(e is OperationCanceledException))
        {
            throw new OperationCanceledException($"The download of '{_remotePath}' was cancelled.", e, cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        progress.Complete(written);
        string? sha256 = hash is null ? null : Hex.Encode(hash.GetHashAndReset());
        if (_expectedSha256 is not null && sha256 != _expectedSha256)
        {
            throw Errors.FromStatus(SandboxErrorCode.DataLoss,
                $"the {written} bytes received have SHA-256 {sha256}, not the expected {_expectedSha256}", Operation, _remotePath, null);
        }
        return new SandboxDownloadResult
        {
            RemotePath = _remotePath,
            Length = written,
            ETag = etag?.ToString(),
            LastModified = lastModified,
            Sha256 = sha256,
            ResumeCount = resumes,
        };
    }

    /// <summary>
    /// The first request (the one sent ahead, when there is one) or a request for the rest from
    /// byte <paramref name="written"/>, guarded by <paramref name="guard"/>.
    /// </summary>
    async Task<HttpResponseMessage> SendAsync(bool first, long written, RangeConditionHeaderValue? guard, CancellationToken watchdog)
    {
        if (first && _begun is { } begun)
        {
            _begun = null;
            return await begun.TakeAsync(watchdog).ConfigureAwait(false);
        }
        using HttpRequestMessage request = _transfer.NewRequest(HttpMethod.Get, _uriPath);
        if (!first)
        {
            request.Headers.Range = new RangeHeaderValue(written, null);
            request.Headers.IfRange = guard;
        }
        return await _transfer.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, watchdog).ConfigureAwait(false);
    }

    /// <summary>
    /// Checks the answer to a resume request. 206 from the right offset goes on; 200 means the
    /// file changed (the If-Range guard failed) and is refused; 416 with the full length equal to
    /// what was written means nothing was missing after all.
    /// </summary>
    /// <returns>True when the download turned out complete already.</returns>
    async Task<bool> CheckResumeResponseAsync(HttpResponseMessage response, long written, long? total, CancellationToken cancellationToken)
    {
        ContentRangeHeaderValue? range = response.Content.Headers.ContentRange;
        switch ((int)response.StatusCode)
        {
            case 206:
                if (range is null || !range.HasRange || range.From != written || !string.Equals(range.Unit, "bytes", StringComparison.OrdinalIgnoreCase))
                {
                    throw Errors.FromStatus(SandboxErrorCode.Aborted,
                        $"asked to resume at byte {written}, the agent answered with the range '{range}'; nothing was spliced", Operation, _remotePath, null);
                }
                if (total is long length && range.HasLength && range.Length != length)
                {
                    throw Changed(written, $"its length went from {length} to {range.Length} bytes");
                }
                return false;
            case 200:
                throw Changed(written, "the agent sent the whole file again instead of the rest, so its ETag or Last-Modified no longer matches");
            case 416 when range is { HasRange: false, HasLength: true } && range.Length == written:
                return true;
            case 416:
                throw Changed(written, $"the agent has no bytes from offset {written} any more");
            default:
                throw await AgentHttpErrors.FromResponseAsync(response, Errors, Operation, _remotePath, cancellationToken).ConfigureAwait(false);
        }
    }

    SandboxException Changed(long written, string why) =>
        Errors.FromStatus(SandboxErrorCode.Aborted,
            $"the file changed in the sandbox after {written} bytes had been received ({why}); nothing was spliced, download it again",
            Operation, _remotePath, null);

    /// <summary>Counts a resume and waits before it, or throws when resuming is impossible or the budget is spent.</summary>
    async Task<int> ResumeOrThrowAsync(Exception drop, IdleWatchdog watchdog, RangeConditionHeaderValue? guard,
        int resumes, long written, long? total, CancellationToken cancellationToken)
    {
        string where = total is long length ? $"{written} of {length} bytes" : $"{written} bytes";
        string cause = watchdog.Fired ? $"no data for {watchdog.Idle.TotalSeconds:0.#} s" : Innermost(drop).Message;
        if (guard is null)
        {
            throw Errors.FromStatus(watchdog.Fired ? SandboxErrorCode.DeadlineExceeded : SandboxErrorCode.Unavailable,
                $"the connection was lost after {where} ({cause}), and the agent sent neither an ETag nor a Last-Modified date, so the rest cannot be asked for safely",
                Operation, _remotePath, drop);
        }
        if (resumes >= _options.MaxResumeAttempts)
        {
            throw Errors.FromStatus(SandboxErrorCode.Unavailable,
                resumes == 0
                    ? $"the connection was lost after {where} ({cause}) and resuming is turned off; {RunAgain}"
                    : $"the connection was lost after {where} ({cause}); gave up after {resumes} attempts to resume; {RunAgain}",
                Operation, _remotePath, drop);
        }
        resumes++;
        double factor = Math.Pow(2, resumes - 1);
        // After silence there is no reason to wait: the stall itself took a whole idle period.
        TimeSpan delay = watchdog.Fired ? TimeSpan.Zero
            : TimeSpan.FromTicks((long)Math.Min(_options.ResumeDelay.Ticks * factor, MaxResumeDelay.Ticks));
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
        return resumes;
    }

    /// <summary>The end of a download whose agent stopped listening or answering: says what happened and what to do.</summary>
    SandboxException GaveUp(Exception error, IdleWatchdog watchdog, long written, long? total)
    {
        string where = total is long length ? $"{written} of {length} bytes" : $"{written} bytes";
        string domain = _transfer.Domain;
        return watchdog.Fired
            ? new SandboxException(SandboxErrorCode.DeadlineExceeded,
                $"The download of '{_remotePath}' stopped after {where}: the sandbox agent at '{domain}' sent nothing for a whole idle period "
                + $"and did not answer a request for the rest within {watchdog.Idle.TotalSeconds:0.#} s. It may be frozen or unreachable; {RunAgain}.",
                null, _remotePath, domain, error)
            : new SandboxException(SandboxErrorCode.Unavailable,
                $"The download of '{_remotePath}' stopped after {where}: the connection was lost and the sandbox agent at '{domain}' "
                + $"refused a new one ({Innermost(error).Message}), so it is not running any more; {RunAgain}.",
                null, _remotePath, domain, error);
    }

    /// <summary>A connection refused: nothing listens on the port.</summary>
    internal static bool IsRefused(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            if (e is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionRefused })
            {
                return true;
            }
        }
        return false;
    }

    static TimeSpan Shorter(TimeSpan idle, TimeSpan limit) =>
        idle <= TimeSpan.Zero || idle == Timeout.InfiniteTimeSpan || idle > limit ? limit : idle;

    Exception Translate(Exception error, IdleWatchdog watchdog, CancellationToken cancellationToken)
    {
        if (watchdog.Fired)
        {
            return Errors.FromStatus(SandboxErrorCode.DeadlineExceeded, $"no answer for {watchdog.Idle.TotalSeconds:0.#} s", Operation, _remotePath, error);
        }
        return Errors.Translate(error, Operation, _remotePath, cancellationToken);
    }

    /// <summary>A failure of the connection (or a stall), not a cancellation the caller asked for.</summary>
    internal static bool IsDrop(Exception error, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested
        && (error is IOException || error is HttpRequestException || error is OperationCanceledException || error is ObjectDisposedException);

    internal static Exception Innermost(Exception error)
    {
        while (error.InnerException is not null)
        {
            error = error.InnerException;
        }
        return error;
    }
}

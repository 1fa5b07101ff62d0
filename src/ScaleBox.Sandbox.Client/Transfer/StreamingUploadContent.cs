using System;
using System.Buffers;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;

namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>
/// The file part of an upload, streamed from its source as the request goes out: one pooled
/// buffer, never the whole content. Counts (and, if asked, hashes) the bytes, reports progress, and keeps the
/// idle watchdog fed. It can be sent once only (a source stream cannot be rewound in general).
/// </summary>
internal sealed class StreamingUploadContent : HttpContent
{
    internal const int BufferSize = 128 * 1024;

    readonly Stream _source;
    readonly long? _length;
    readonly IdleWatchdog _watchdog;
    readonly ProgressThrottle _progress;
    readonly IncrementalHash? _hash;
    readonly object _ending = new object();
    bool _stopped;
    int _sent;

    public StreamingUploadContent(Stream source, IdleWatchdog watchdog, ProgressThrottle progress, bool computeSha256 = false)
    {
        _source = source;
        _hash = computeSha256 ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
        _watchdog = watchdog;
        _progress = progress;
        if (source.CanSeek)
        {
            // Known up front, so the request carries a Content-Length instead of chunks.
            _length = Math.Max(0, source.Length - source.Position);
        }
    }

    /// <summary>The length sent as Content-Length, when the source could tell it.</summary>
    public long? DeclaredLength => _length;

    /// <summary>Content bytes handed to the connection so far.</summary>
    public long BytesSent { get; private set; }

    /// <summary>What went wrong reading the source, if that is what ended the upload.</summary>
    public Exception? SourceFailure { get; private set; }

    /// <summary>True once every byte of the source went out.</summary>
    public bool Completed { get; private set; }

    /// <summary>SHA-256 of the bytes sent, once <see cref="Completed"/>; null when not asked for.</summary>
    public string? Sha256 { get; private set; }

    /// <summary>
    /// Makes sure the body will never end as a whole one, unless its last byte already went out.
    /// True when stopped: the agent then sees a cut request and keeps nothing. False when the
    /// content is complete: the agent may be writing the file now, so the caller should wait for
    /// its answer before removing what it wrote (a removal sent earlier can arrive first).
    /// </summary>
    public bool TryStopBeforeEnd()
    {
        lock (_ending)
        {
            _stopped = !Completed;
            return _stopped;
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        CopyAsync(stream, CancellationToken.None);

#if NET5_0_OR_GREATER
    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
        CopyAsync(stream, cancellationToken);
#endif

    protected override bool TryComputeLength(out long length)
    {
        length = _length ?? 0;
        return _length.HasValue;
    }

    async Task CopyAsync(Stream network, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _sent, 1) != 0)
        {
            throw new InvalidOperationException("The upload content was already sent; a streamed upload cannot be sent twice.");
        }
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _watchdog.Token);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            while (true)
            {
                int want = buffer.Length;
                if (_length is long total && total - BytesSent < want)
                {
                    // Never send more than the Content-Length promised, even if the source grows.
                    want = (int)Math.Max(0, total - BytesSent);
                    if (want == 0)
                    {
                        break;
                    }
                }
                int read;
                try
                {
                    read = await _source.ReadAsync(buffer, 0, want, linked.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (!(e is OperationCanceledException))
                {
                    SourceFailure = e; // a local problem, not the connection's
                    throw;
                }
                if (read == 0)
                {
                    break;
                }
                await network.WriteAsync(buffer, 0, read, linked.Token).ConfigureAwait(false);
                _hash?.AppendData(buffer, 0, read);
                BytesSent += read;
                _watchdog.Pet();
                _progress.Report(BytesSent);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        if (_length is long expected && BytesSent != expected)
        {
            var changed = new IOException($"The source stream ended after {BytesSent} of the {expected} bytes it announced; it changed while it was being uploaded.");
            SourceFailure = changed;
            throw changed;
        }
        lock (_ending)
        {
            if (_stopped)
            {
                // Without the multipart's closing boundary, the agent cannot take the file as whole.
                throw new OperationCanceledException("The upload was stopped before its last byte.");
            }
            Sha256 = _hash is null ? null : Hex.Encode(_hash.GetHashAndReset());
            Completed = true;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash?.Dispose();
        }
        base.Dispose(disposing);
    }
}

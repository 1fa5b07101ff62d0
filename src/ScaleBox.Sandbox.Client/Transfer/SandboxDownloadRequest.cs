using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>
/// A download asked for before the caller knows it will take it: sent alongside the lookup that
/// decides (is the path a file? is there room locally?), so that a copy of one file costs one
/// round trip instead of two. Given to <see cref="SandboxFileTransfer.DownloadFileAsync(SandboxDownloadRequest, string, bool, SandboxDownloadOptions, IProgress{long}, CancellationToken)"/>
/// it becomes that download's first request; disposed without that, it is cancelled and what
/// it opened is let go. Dispose it either way.
/// </summary>
public sealed class SandboxDownloadRequest : IDisposable
{
    readonly HttpRequestMessage _request;
    readonly CancellationTokenSource _ending;
    readonly Task<HttpResponseMessage> _response;
    int _taken;

    internal SandboxDownloadRequest(SandboxFileTransfer transfer, string remotePath, CancellationToken cancellationToken)
    {
        RemotePath = remotePath;
        _request = transfer.NewRequest(HttpMethod.Get, RemotePaths.DownloadUriPath(remotePath));
        _ending = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _response = transfer.Http.SendAsync(_request, HttpCompletionOption.ResponseHeadersRead, _ending.Token);
    }

    /// <summary>The sandbox file asked for, as the caller wrote it.</summary>
    public string RemotePath { get; }

    /// <summary>
    /// The answer, for the download that takes the request over: from now on it owns the response,
    /// and <paramref name="watchdog"/> (its idle timer) ends the wait for the headers too.
    /// </summary>
    internal async Task<HttpResponseMessage> TakeAsync(CancellationToken watchdog)
    {
        if (Interlocked.Exchange(ref _taken, 1) != 0)
        {
            throw new InvalidOperationException("This download request has been taken already.");
        }
        using (watchdog.Register(() => _ending.Cancel()))
        {
            return await _response.ConfigureAwait(false);
        }
    }

    /// <summary>Cancels the request unless a download took it; its answer, if one comes, is let go.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _taken, 1) != 0)
        {
            // The download that took the answer owns it; the request has been sent.
            _request.Dispose();
            _ending.Dispose();
            return;
        }
        _ending.Cancel();
        // Not waited for here: a cancelled request ends by itself, and its answer (one may have come
        // already) is disposed as it ends, closing or returning its connection.
        _ = _response.ContinueWith(ended =>
        {
            if (ended.Status == TaskStatus.RanToCompletion)
            {
                ended.Result.Dispose();
            }
            _ = ended.Exception; // observed: a cancelled or failed side request is no one's error
            _request.Dispose();
            _ending.Dispose();
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}

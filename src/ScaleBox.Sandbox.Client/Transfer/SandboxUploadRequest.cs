using System;
using System.Threading;
using System.Threading.Tasks;

namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>
/// An upload of a local file posted before the caller knows it will keep it: to the hidden
/// staging name beside its remote path, alongside the lookups that decide (is a file or a folder
/// there already?), so that a copy of one file costs two round trips (the post, the rename)
/// instead of three. Given to <see cref="SandboxFileTransfer.UploadFileAsync(SandboxUploadRequest, IProgress{long}, CancellationToken)"/>
/// it is renamed into place; disposed without that, the post is cancelled and what it staged
/// removed. Dispose it either way: nothing is ever under the remote path unless it was taken.
/// </summary>
public sealed class SandboxUploadRequest : IAsyncDisposable
{
    readonly SandboxFileTransfer _transfer;
    readonly CancellationTokenSource _ending;
    readonly Task<SandboxUploadResult> _staged;
    int _taken;

    internal SandboxUploadRequest(SandboxFileTransfer transfer, string localPath, string remotePath, CancellationToken cancellationToken)
    {
        _transfer = transfer;
        LocalPath = localPath;
        RemotePath = remotePath;
        StagingPath = SandboxFileTransfer.StagingPathFor(remotePath);
        _ending = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Run apart from the caller: opening the file and the first bytes out do not hold it up.
        _staged = Task.Run(() => transfer.StageFileAsync(localPath, StagingPath, remotePath, _ending.Token));
    }

    /// <summary>The local file being sent, as a full path.</summary>
    public string LocalPath { get; }

    /// <summary>The sandbox file it becomes once taken, as the caller wrote it.</summary>
    public string RemotePath { get; }

    internal string StagingPath { get; }

    /// <summary>
    /// The finished post, for the upload that renames it into place: from now on that upload owns
    /// the staged file (removing it if the rename fails). <paramref name="cancellationToken"/>
    /// cancels the post too, which then removes what it staged.
    /// </summary>
    internal async Task<SandboxUploadResult> TakeAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _taken, 1) != 0)
        {
            throw new InvalidOperationException("This upload request has been taken or let go already.");
        }
        try
        {
            using (cancellationToken.Register(() => _ending.Cancel()))
            {
                return await _staged.ConfigureAwait(false);
            }
        }
        finally
        {
            _ending.Dispose();
        }
    }

    /// <summary>
    /// Unless an upload took it: cancels the post and waits until nothing it staged is left (a
    /// post that had finished is removed; one cut short removes its own). Bounded by the clean-up
    /// time of an upload, so a dead network does not hold the caller for long.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _taken, 1) != 0)
        {
            return;
        }
        _ending.Cancel();
        bool posted;
        try
        {
            await _staged.ConfigureAwait(false);
            posted = true;
        }
        catch (Exception)
        {
            posted = false; // a post that failed or was cut short is no one's error, and removed its staged file
        }
        finally
        {
            _ending.Dispose();
        }
        if (posted)
        {
            await _transfer.TryRemoveAsync(StagingPath).ConfigureAwait(false);
        }
    }
}

using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using ScaleBox.Sandbox.Client.Transport;

namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>
/// Fills a tree's destination in a sandbox from a plan: the destination made when missing, its
/// directories made and its files copied, all side by side in one bounded run (directories are
/// started first), so that a new tree costs the round trips of one file, not one more per level
/// of folders. A file need not wait for the folders above it: its upload makes them, and a
/// folder's MakeDir that finds it made is merged into (<see cref="TreeTarget.EnsureDirectoryAsync"/>).
/// The destination's own failure ends the run at once with its error, before any outcome is
/// given, as when it was made first. Where the caller wants the folders' items, the folders are
/// made before the files go (<c>foldersFirst</c>), the destination still alongside them.
/// </summary>
internal static class TreeFill
{
    public static async IAsyncEnumerable<SandboxTransferOutcome> RunAsync<TEntry>(SandboxClient target, string root, bool rootExists,
        IReadOnlyList<TEntry> directories, IReadOnlyList<TEntry> files, int limit, bool foldersFirst,
        Func<TEntry, CancellationToken, Task<SandboxTransferOutcome>> placeDirectory,
        Func<TEntry, CancellationToken, Task<SandboxTransferOutcome>> copyFile,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        async Task MakeRootAsync()
        {
            try
            {
                await TreeTarget.EnsureDirectoryAsync(target, root, stop.Token).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Nothing can be placed where the destination cannot be: the steps in flight end.
                stop.Cancel();
                throw;
            }
        }
        Task? makingRoot = rootExists ? null : MakeRootAsync();

        // With items asked for, the folders are made before the files go: a folder that a file's upload
        // made first would find its MakeDir answering "already exists", without the folder's item.
        var phases = new List<List<(TEntry Entry, bool IsDirectory)>>();
        var steps = new List<(TEntry Entry, bool IsDirectory)>(directories.Count + files.Count);
        foreach (TEntry directory in directories)
        {
            steps.Add((directory, true));
        }
        if (foldersFirst)
        {
            phases.Add(steps);
            steps = new List<(TEntry Entry, bool IsDirectory)>(files.Count);
        }
        foreach (TEntry file in files)
        {
            steps.Add((file, false));
        }
        phases.Add(steps);

        try
        {
            foreach (List<(TEntry Entry, bool IsDirectory)> phase in phases)
            {
                IAsyncEnumerator<SandboxTransferOutcome> run = BoundedParallel
                    .RunAsync(phase, limit, (step, token) => step.IsDirectory ? placeDirectory(step.Entry, token) : copyFile(step.Entry, token), stop.Token)
                    .GetAsyncEnumerator(stop.Token);
                try
                {
                    while (true)
                    {
                        bool more;
                        try
                        {
                            more = await run.MoveNextAsync().ConfigureAwait(false);
                        }
                        catch (OperationCanceledException) when (makingRoot is not null && stop.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                        {
                            // Ended by the destination's failure (only it cancels the run besides the caller), which is the one to report.
                            await makingRoot.ConfigureAwait(false);
                            throw;
                        }
                        if (!more)
                        {
                            break;
                        }
                        if (makingRoot is not null)
                        {
                            await makingRoot.ConfigureAwait(false);
                            makingRoot = null;
                        }
                        yield return run.Current;
                    }
                }
                finally
                {
                    // Ends the steps in flight (when left early) and waits for them.
                    await run.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
        finally
        {
            // The destination's request, when the run failed before its answer was looked at, is waited for too.
            await SideRequest.WaitQuietlyAsync(makingRoot).ConfigureAwait(false);
        }
        if (makingRoot is not null)
        {
            // Nothing was placed in it: its own answer ends the run.
            await makingRoot.ConfigureAwait(false);
        }
    }
}

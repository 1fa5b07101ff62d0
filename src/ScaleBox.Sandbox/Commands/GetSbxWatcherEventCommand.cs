using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Client.Watch;
using ScaleBox.Sandbox.Infrastructure;
using ScaleBox.Sandbox.Watch;

namespace ScaleBox.Sandbox.Commands;

/// <summary>
/// Streams the changes in a sandbox directory to the pipeline as they happen (-Path), until
/// Ctrl+C, -TimeoutSec, or a downstream Select-Object -First; or drains what a watcher made by
/// New-SbxWatcher has gathered (-Watcher), once or, with -Wait, until stopped.
/// </summary>
[Cmdlet(VerbsCommon.Get, "SbxWatcherEvent", DefaultParameterSetName = PathSet, HelpUri = HelpLinks.Root + "Get-SbxWatcherEvent.md")]
[OutputType(typeof(SandboxFileChange), typeof(SandboxWatchGap))]
public sealed class GetSbxWatcherEventCommand : SessionCmdlet
{
    const string PathSet = "Path";
    const string WatcherSet = "Watcher";
    static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>The sandbox directory to watch; its changes stream until stopped.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
    [Alias("PSPath", "FullName")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SandboxPathCompleter))]
    public string Path { get; set; } = string.Empty;

    /// <summary>Watch subdirectories too, including ones created later.</summary>
    [Parameter(ParameterSetName = PathSet)]
    public SwitchParameter Recurse { get; set; }

    /// <summary>
    /// Only changes to entries whose name matches one of these wildcards (*.py), case-sensitively;
    /// with -Watcher, the others it gathered are drained and dropped. Gaps always come.
    /// </summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Filter { get; set; } = new string[0];

    /// <summary>A watcher made by New-SbxWatcher, whose gathered changes are drained.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = WatcherSet)]
    [ValidateNotNull]
    public SandboxWatcher? Watcher { get; set; }

    /// <summary>
    /// Keep going until stopped: with -Watcher, poll again and again; with -Path, streaming is what it does anyway. (Named like Wait-Event's; it hides the base class's Wait method, reached as base.Wait.)
    /// </summary>
    [Parameter]
    public new SwitchParameter Wait { get; set; }

    /// <summary>Stop after this many seconds (no error: the events so far are the result). 0, the default, means no limit.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int TimeoutSec { get; set; }

    protected override void ProcessRecord()
    {
        SandboxClient client = Client;
        try
        {
            if (ParameterSetName == WatcherSet)
            {
                SandboxWatcher watcher = Watcher!;
                if (!Wait)
                {
                    SandboxWatcherDrain drain = base.Wait(client.Watchers.DrainAsync(watcher, CancelToken));
                    if (drain.LostChanges)
                    {
                        WriteWarning(LossWarning(watcher, drain));
                    }
                    foreach (SandboxFileChange change in drain.Changes)
                    {
                        if (Passes(change))
                        {
                            WriteObject(change);
                        }
                    }
                    return;
                }
                Pump((sink, cancel) => Limited(cancel, limit => PollAsync(client, watcher, sink, limit)));
            }
            else
            {
                Pump((sink, cancel) => Limited(cancel, limit => StreamAsync(client, sink, limit)));
            }
        }
        catch (SandboxException e)
        {
            WriteSandboxError(e, Watcher?.ToString() ?? Path);
        }
    }

    /// <summary>Runs the work under -TimeoutSec; reaching it ends the work quietly.</summary>
    async Task Limited(CancellationToken cancel, Func<CancellationToken, Task> work)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        if (TimeoutSec > 0)
        {
            limit.CancelAfter(TimeSpan.FromSeconds(TimeoutSec));
        }
        try
        {
            await work(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancel.IsCancellationRequested)
        {
            // -TimeoutSec reached.
        }
    }

    async Task StreamAsync(SandboxClient client, OutputSink sink, CancellationToken cancel)
    {
        var options = new SandboxWatchOptions { Recursive = Recurse, Reconnect = true, NameFilter = _names };
        await foreach (SandboxWatchEvent e in client.Watchers.WatchAsync(Path, options, cancel).ConfigureAwait(false))
        {
            if (e is SandboxWatchStarted started)
            {
                await sink.WriteVerboseAsync($"Watching {started.WatchedPath}{(started.Recursive ? " and its subdirectories" : "")}.", cancel).ConfigureAwait(false);
                continue;
            }
            if (e is SandboxWatchGap gap)
            {
                await sink.WriteWarningAsync($"The watch of {gap.WatchedPath} was lost from {gap.Started:HH:mm:ss} to {gap.Ended:HH:mm:ss} "
                    + $"and changes in between may be missing: {gap.Reason}", cancel).ConfigureAwait(false);
            }
            await sink.WriteObjectAsync(e, cancel).ConfigureAwait(false);
        }
    }

    /// <summary>Said before the changes of a drain that lost some, so a script knows to list the folder again.</summary>
    static string LossWarning(SandboxWatcher watcher, SandboxWatcherDrain drain) => drain.Overflowed
        ? $"Watcher {watcher.Id} of {watcher.Path} lost changes: the sandbox's kernel queue overflowed. List the folder to see where it stands."
        : $"Watcher {watcher.Id} of {watcher.Path} dropped its {drain.DroppedCount} oldest changes: it was not drained before its queue filled. Drain it more often, or list the folder to see where it stands.";

    /// <summary>Whether a drained change passes -Filter (the streamed watch filters in the client library).</summary>
    bool Passes(SandboxFileChange change) => _names?.Invoke(change.EntryName) ?? true;

    Func<string, bool>? _names;

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        _names = WatchNameFilter.From(Filter);
    }

    async Task PollAsync(SandboxClient client, SandboxWatcher watcher, OutputSink sink, CancellationToken cancel)
    {
        while (true)
        {
            SandboxWatcherDrain drain = await client.Watchers.DrainAsync(watcher, cancel).ConfigureAwait(false);
            if (drain.LostChanges)
            {
                await sink.WriteWarningAsync(LossWarning(watcher, drain), cancel).ConfigureAwait(false);
            }
            IReadOnlyList<SandboxFileChange> changes = drain.Changes;
            foreach (SandboxFileChange change in changes)
            {
                if (Passes(change))
                {
                    await sink.WriteObjectAsync(change, cancel).ConfigureAwait(false);
                }
            }
            if (changes.Count == 0)
            {
                await Task.Delay(PollInterval, cancel).ConfigureAwait(false);
            }
        }
    }
}

using System;
using System.Linq;
using System.Management.Automation;
using Microsoft.PowerShell.Commands;
using System.Threading;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Infrastructure;
using ScaleBox.Sandbox.Sessions;
using ScaleBox.Sandbox.Watch;

namespace ScaleBox.Sandbox.Commands;

/// <summary>
/// Subscribes to changes in a sandbox directory through PowerShell's own event machinery, as
/// Register-ObjectEvent does for a FileSystemWatcher (but in the order they happened): events go to the session's event queue
/// (Get-Event, Wait-Event) or run an -Action with $Event, $EventArgs and $Sender. The watch
/// reconnects by itself after a dropped connection and raises a Gap event when it is back.
/// Unregister-Event (or removing the action's job, or closing the runspace) ends it on the agent.
/// </summary>
[Cmdlet(VerbsLifecycle.Register, "SbxWatcher", HelpUri = HelpLinks.Root + "Register-SbxWatcher.md")]
[OutputType(typeof(PSEventJob))]
public sealed class RegisterSbxWatcherCommand : ObjectEventRegistrationBase
{
    /// <summary>The CLR event the subscription is registered on (changes reach it another way: see EndProcessing).</summary>
    const string EventName = nameof(SbxWatcherEventSource.Changed);

    readonly CancellationTokenSource _stopping = new CancellationTokenSource();
    SbxWatcherEventSource? _source;

    /// <summary>The sandbox directory to watch.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [Alias("PSPath", "FullName")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SandboxPathCompleter))]
    public string Path { get; set; } = string.Empty;

    /// <summary>Watch subdirectories too, including ones created later.</summary>
    [Parameter]
    public SwitchParameter Recurse { get; set; }

    /// <summary>Only changes to entries whose name matches one of these wildcards (*.py), case-sensitively; gaps always come.</summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Filter { get; set; } = new string[0];

    /// <summary>The sandbox to work on. Defaults to the newest session.</summary>
    [Parameter]
    [ValidateNotNull]
    [SessionArgument]
    [ArgumentCompleter(typeof(SessionNameCompleter))]
    public SbxSession? Session { get; set; }

    protected override object GetSourceObject()
    {
        SbxSession session = SessionResolver.Resolve(this, Session);
        var source = new SbxWatcherEventSource(session, Path, Recurse, WatchNameFilter.From(Filter));
        try
        {
            // Wait for the agent's start here, so a bad path fails the registration, not the first event.
            source.OpenAsync(_stopping.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            source.Dispose();
            throw new PipelineStoppedException();
        }
        catch (SandboxException e)
        {
            source.Dispose();
            ThrowTerminatingError(SandboxErrors.ToErrorRecord(e, Path));
        }
        catch
        {
            source.Dispose();
            throw;
        }
        _source = source;
        return source;
    }

    /// <summary>Ctrl+C while the watch is being opened.</summary>
    protected override void StopProcessing() => _stopping.Cancel();

    protected override string GetSourceObjectEventName() => EventName;

    protected override void EndProcessing()
    {
        base.EndProcessing();
        SbxWatcherEventSource? source = _source;
        // The base class keeps the new subscription to itself in the reference assemblies of
        // PowerShell 5.1: find it by its source object.
        PSEventSubscriber? subscriber = Events.Subscribers.FirstOrDefault(s => ReferenceEquals(s.SourceObject, source));
        if (source is null)
        {
            return;
        }
        if (subscriber is null)
        {
            source.Dispose();
            return;
        }
        // Unregister-Event, Remove-Job of the action's job and the runspace closing all unsubscribe:
        // each ends the watch on the agent.
        subscriber.Unsubscribed += (sender, e) => source.Dispose();
        // PowerShell's handler of a CLR event queues each event on a thread-pool item of its own,
        // so two changes a moment apart (a new file's Create and Write) could reach the queue or the
        // action in either order. Generated on the pump's own thread, one at a time, they are queued
        // in the order they happened; the event is the one the handler would make (same source
        // identifier, sender, arguments and message data), so -Action, -Forward, -MaxTriggerCount,
        // Get-Event and Wait-Event see no other difference.
        PSEventManager events = Events;
        string sourceIdentifier = subscriber.SourceIdentifier;
        PSObject? messageData = MessageData; // what the subscription carries as its data
        source.Start(change => events.GenerateEvent(sourceIdentifier, source, new object[] { source, change }, messageData,
            processInCurrentThread: true, waitForCompletionInCurrentThread: false));
        WriteVerbose($"Watching {source.Path} as '{sourceIdentifier}'.");
    }
}

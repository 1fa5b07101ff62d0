using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Processes;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Infrastructure;
using ScaleBox.Sandbox.Processes;

namespace ScaleBox.Sandbox.Commands;

/// <summary>
/// Attaches to a running sandbox process and streams its output until it ends, as Receive-Job
/// does for jobs. Output written before attaching is not replayed. Ctrl+C detaches; the process
/// keeps running.
/// </summary>
[Cmdlet(VerbsCommunications.Receive, "SbxProcess", DefaultParameterSetName = PidSet, HelpUri = HelpLinks.Root + "Receive-SbxProcess.md")]
[OutputType(typeof(SandboxProcessOutput), typeof(SandboxProcessExit), typeof(string))]
public sealed class ReceiveSbxProcessCommand : ProcessCmdlet
{
    /// <summary>Lines of text, the default: standard output to the pipeline, standard error to the error stream. Kept for scripts that name it.</summary>
    [Parameter]
    public SwitchParameter AsText { get; set; }

    /// <summary>Writes output records (pid, stream, text, bytes) as chunks arrive, then the exit record, instead of lines.</summary>
    [Parameter]
    public SwitchParameter AsRecord { get; set; }

    ProcessOutputMode _mode;

    protected override void BeginProcessing()
    {
        ProcessOutputMode? mode = ProcessOutputModes.From(AsText, AsRecord, out ErrorRecord? conflict);
        if (conflict is not null)
        {
            ThrowTerminatingError(conflict);
        }
        _mode = mode!.Value;
    }

    /// <summary>Makes a non-zero exit code or a signal an error, so -ErrorAction Stop ends a script.</summary>
    [Parameter]
    public SwitchParameter CheckExitCode { get; set; }

    protected override void ProcessRecord()
    {
        SandboxClient client = Client;
        foreach (SandboxProcessSelector selector in Selectors())
        {
            try
            {
                Pump((sink, cancel) => ReceiveAsync(client, selector, sink, cancel));
            }
            catch (SandboxException e)
            {
                WriteSandboxError(e, selector.ToString());
            }
        }
    }

    Task ReceiveAsync(SandboxClient client, SandboxProcessSelector selector, OutputSink sink, CancellationToken cancel) =>
        new ProcessEventRenderer(sink, _mode, CheckExitCode, setLastExitCode: false).RenderAllAsync(
            client.Processes.ConnectAsync(selector, cancel),
            started =>
            {
                _followed.Started(started.Pid);
                return sink.WriteVerboseAsync($"Attached to pid {started.Pid}.", cancel).AsTask();
            },
            cancel,
            onEnded: _followed.Ended);

    readonly FollowedProcess _followed = new FollowedProcess();

    protected override void StopProcessing()
    {
        base.StopProcessing();
        _followed.NoteStillRunning(Host);
    }
}

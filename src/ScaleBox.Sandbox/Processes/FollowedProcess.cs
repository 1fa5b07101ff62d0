using System.Management.Automation.Host;

namespace ScaleBox.Sandbox.Processes;

/// <summary>
/// The process whose output a foreground stream follows, from its start event to its exit, so
/// that Ctrl+C can say the process still runs and how to get back to it: Ctrl+C stops the local
/// stream only, and without a word people assume the process died too.
/// </summary>
internal sealed class FollowedProcess
{
    volatile object? _pid;

    public void Started(uint pid) => _pid = pid;

    public void Ended() => _pid = null;

    /// <summary>Called from StopProcessing: the pipeline is stopping, so the note goes to the host directly.</summary>
    public void NoteStillRunning(PSHost host)
    {
        if (_pid is uint pid)
        {
            host.UI?.WriteWarningLine(
                $"Process {pid} still runs in the sandbox. Follow it again with 'Receive-SbxProcess -Pid {pid}', wait for it with 'Wait-SbxProcess -Pid {pid}', or stop it with 'Stop-SbxProcess -Pid {pid}'.");
        }
    }
}

using System.Globalization;

namespace ScaleBox.Sandbox.Client.Processes;

/// <summary>
/// The first event of every process stream: the process runs (or, when attaching to one that has
/// ended, did run) with this pid. Keep the pid to reattach if the stream is lost.
/// </summary>
public sealed class SandboxProcessStarted : SandboxProcessEvent
{
    public SandboxProcessStarted(uint pid)
        : base(pid)
    {
    }

    /// <summary>Selects this process by its pid.</summary>
    public SandboxProcessSelector Selector => SandboxProcessSelector.ByPid(Pid);

    public override string ToString() => "pid " + Pid.ToString(CultureInfo.InvariantCulture) + " started";
}

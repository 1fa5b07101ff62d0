namespace ScaleBox.Sandbox.Client.Processes;

/// <summary>
/// One event of a process's stream, in the order the agent sent them: a
/// <see cref="SandboxProcessStarted"/> first, then <see cref="SandboxProcessOutput"/> chunks, and a
/// <see cref="SandboxProcessExit"/> last. The agent's keepalives are consumed by the library.
/// </summary>
public abstract class SandboxProcessEvent
{
    private protected SandboxProcessEvent(uint pid)
    {
        Pid = pid;
    }

    /// <summary>The process the event is about.</summary>
    public uint Pid { get; }
}

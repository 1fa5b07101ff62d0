namespace ScaleBox.Sandbox.Client.Processes;

/// <summary>The signals the agent can send to a process (the only two it accepts).</summary>
public enum SandboxSignal
{
    /// <summary>SIGKILL: ends the process at once; it cannot refuse.</summary>
    Kill = 9,

    /// <summary>SIGTERM: asks the process to end; it may clean up, or ignore it.</summary>
    Terminate = 15,
}

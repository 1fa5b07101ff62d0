namespace ScaleBox.Sandbox.Client.Processes;

/// <summary>Where input to a process goes; it must match how the process was started.</summary>
public enum SandboxInputTarget
{
    /// <summary>The standard input pipe of a process started without a terminal.</summary>
    Stdin = 0,

    /// <summary>The terminal of a process started with one (what a user would type).</summary>
    Pty = 1,
}

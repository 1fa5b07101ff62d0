namespace ScaleBox.Sandbox.Client.Processes;

/// <summary>Where a chunk of a process's output came from.</summary>
public enum SandboxProcessStream
{
    /// <summary>Standard output of a process started without a terminal.</summary>
    Stdout = 0,

    /// <summary>Standard error of a process started without a terminal.</summary>
    Stderr = 1,

    /// <summary>The terminal of a process started with one (stdout and stderr mixed, as a terminal shows them).</summary>
    Pty = 2,
}

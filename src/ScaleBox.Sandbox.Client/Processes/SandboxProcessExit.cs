using System.Globalization;

namespace ScaleBox.Sandbox.Client.Processes;

/// <summary>The last event of a process stream: how the process ended.</summary>
public sealed class SandboxProcessExit : SandboxProcessEvent
{
    public SandboxProcessExit(uint pid, int exitCode, bool exited, string status, string? error)
        : base(pid)
    {
        ExitCode = exitCode;
        Exited = exited;
        Status = status ?? string.Empty;
        Error = error;
    }

    /// <summary>The exit code; -1 when the process did not exit by itself (killed by a signal).</summary>
    public int ExitCode { get; }

    /// <summary>True when the process exited (called exit); false when a signal ended it.</summary>
    public bool Exited { get; }

    /// <summary>The agent's description, e.g. <c>exit status 0</c>, <c>exit status 3</c>, <c>signal: killed</c>.</summary>
    public string Status { get; }

    /// <summary>The agent's error text for a process that did not succeed; null when it did.</summary>
    public string? Error { get; }

    /// <summary>Exited with code 0.</summary>
    public bool Succeeded => Exited && ExitCode == 0;

    public override string ToString() => "pid " + Pid.ToString(CultureInfo.InvariantCulture) + ": " + Status;
}

using System;
using ScaleBox.Sandbox.Client.Processes;

namespace ScaleBox.Sandbox.Shell;

/// <summary>Why an interactive session ended.</summary>
internal enum ShellEnd
{
    /// <summary>The remote process ended; <see cref="ShellOutcome.Exit"/> says how.</summary>
    Exited,

    /// <summary>The user pressed the detach key; the remote process runs on.</summary>
    Detached,

    /// <summary>The local terminal went away (end of input); the remote process runs on.</summary>
    TerminalClosed,

    /// <summary>The connection failed; <see cref="ShellOutcome.Error"/> says how. The remote process may run on.</summary>
    Failed,
}

internal sealed class ShellOutcome
{
    ShellOutcome(ShellEnd end, SandboxProcessExit? exit, Exception? error)
    {
        End = end;
        Exit = exit;
        Error = error;
    }

    public ShellEnd End { get; }

    public SandboxProcessExit? Exit { get; }

    public Exception? Error { get; }

    public static ShellOutcome Exited(SandboxProcessExit exit) => new ShellOutcome(ShellEnd.Exited, exit, null);

    public static ShellOutcome Detached { get; } = new ShellOutcome(ShellEnd.Detached, null, null);

    public static ShellOutcome TerminalClosed { get; } = new ShellOutcome(ShellEnd.TerminalClosed, null, null);

    public static ShellOutcome Failed(Exception error) => new ShellOutcome(ShellEnd.Failed, null, error);
}

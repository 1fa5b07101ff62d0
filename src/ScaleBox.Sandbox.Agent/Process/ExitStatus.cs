using System.Globalization;
using ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Agent.Processes;

/// <summary>
/// A child's wait status, decoded as the real agent reports it: it copies Go's
/// <c>ProcessState</c> into the end event, so a normal exit is <c>exited</c> with its code and
/// "exit status N", and a death by signal is exit code -1, not exited, and "signal: killed".
/// </summary>
/// <param name="Raw">The status word from waitpid(2).</param>
public readonly record struct ExitStatus(int Raw)
{
    /// <summary>WIFEXITED.</summary>
    public bool Exited => (Raw & 0x7f) == 0;

    /// <summary>WIFSIGNALED.</summary>
    public bool Signaled => (Raw & 0x7f) != 0 && (Raw & 0x7f) != 0x7f;

    /// <summary>WEXITSTATUS when exited, else -1 (Go's <c>ExitCode()</c>).</summary>
    public int ExitCode => Exited ? (Raw >> 8) & 0xff : -1;

    /// <summary>WTERMSIG when signaled, else 0.</summary>
    public int Signal => Signaled ? Raw & 0x7f : 0;

    public bool CoreDumped => Signaled && (Raw & 0x80) != 0;

    /// <summary>Go's <c>ProcessState.String()</c>: "exit status 3", "signal: terminated", "signal: segmentation fault (core dumped)".</summary>
    public override string ToString()
    {
        string text = Exited ? "exit status " + ExitCode.ToString(CultureInfo.InvariantCulture)
            : Signaled ? "signal: " + Signals.Name(Signal)
            : "unknown status " + Raw.ToString(CultureInfo.InvariantCulture);
        return CoreDumped ? text + " (core dumped)" : text;
    }

    /// <summary>
    /// The end event. <c>error</c> is what Go's <c>cmd.Wait()</c> returns: nothing for a clean exit, the
    /// status text for a non-zero exit or a signal.
    /// </summary>
    public ProcessEvent.Types.EndEvent ToEndEvent()
    {
        var end = new ProcessEvent.Types.EndEvent
        {
            ExitCode = ExitCode,
            Exited = Exited,
            Status = ToString(),
        };
        if (!(Exited && ExitCode == 0))
        {
            end.Error = ToString();
        }
        return end;
    }
}

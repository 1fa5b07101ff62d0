using Grpc.Core;
using ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Agent.Processes;

/// <summary>Signal numbers from the schema, and signal names as Go's <c>syscall.Signal.String()</c> spells them on Linux.</summary>
public static class Signals
{
    // Go generates these from glibc's strsignal, lower-casing the first letter of ordinary words.
    static readonly string[] Names =
    [
        "", "hangup", "interrupt", "quit", "illegal instruction", "trace/breakpoint trap", "aborted",
        "bus error", "floating point exception", "killed", "user defined signal 1", "segmentation fault",
        "user defined signal 2", "broken pipe", "alarm clock", "terminated", "stack fault", "child exited",
        "continued", "stopped (signal)", "stopped", "stopped (tty input)", "stopped (tty output)",
        "urgent I/O condition", "CPU time limit exceeded", "file size limit exceeded",
        "virtual timer expired", "profiling timer expired", "window changed", "I/O possible",
        "power failure", "bad system call",
    ];

    // As Python's signal.Signals names them (the code bridges' wording of a dying kernel).
    static readonly string[] Symbols =
    [
        "", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL",
        "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT",
        "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF",
        "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
    ];

    /// <summary>"SIGKILL" for 9, "signal 34" for one without a symbol.</summary>
    public static string Symbol(int signal) =>
        signal > 0 && signal < Symbols.Length ? Symbols[signal] : "signal " + signal.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>"killed" for 9, "terminated" for 15, "signal 34" for one without a name.</summary>
    public static string Name(int signal) =>
        signal > 0 && signal < Names.Length ? Names[signal] : "signal " + signal.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// The number to send for a schema signal. Only SIGTERM and SIGKILL exist in the schema, and the
    /// real agent answers <c>unimplemented</c> for anything else: an unknown number on the wire, and
    /// no signal at all (SIGNAL_UNSPECIFIED, what a request that names none decodes to).
    /// </summary>
    public static int ToNumber(Signal signal) => signal switch
    {
        Signal.Sigkill => LibC.SIGKILL,
        Signal.Sigterm => LibC.SIGTERM,
        _ => throw new RpcException(new Status(StatusCode.Unimplemented, $"invalid signal: {SchemaName(signal)}")),
    };

    static string SchemaName(Signal signal) =>
        Enum.IsDefined(signal) ? "SIGNAL_" + signal.ToString().ToUpperInvariant() : ((int)signal).ToString(System.Globalization.CultureInfo.InvariantCulture);
}

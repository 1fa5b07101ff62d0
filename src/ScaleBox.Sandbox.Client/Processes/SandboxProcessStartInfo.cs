using System;
using System.Collections.Generic;
using System.Linq;

namespace ScaleBox.Sandbox.Client.Processes;

/// <summary>
/// What to start in the sandbox: the program, its arguments, environment and working directory,
/// an optional tag to find it again, an optional terminal, and an optional lifetime limit.
/// </summary>
public sealed class SandboxProcessStartInfo
{
    /// <summary>The shell the official SDKs run commands with.</summary>
    public const string DefaultShell = "/bin/bash";

    /// <summary>The terminal type the official SDKs give an interactive shell.</summary>
    public const string DefaultTerminalType = "xterm-256color";

    /// <summary>
    /// 50 seconds: how often the agent is asked to send a keepalive on an idle output stream, as the
    /// official SDKs ask (header <c>Keepalive-Ping-Interval</c>).
    /// </summary>
    public static readonly TimeSpan DefaultKeepaliveInterval = TimeSpan.FromSeconds(50);

    public SandboxProcessStartInfo()
    {
    }

    /// <param name="fileName">The program: a path, or a name looked up on the sandbox's PATH.</param>
    /// <param name="arguments">Its arguments, each passed as it is (no shell parsing).</param>
    public SandboxProcessStartInfo(string fileName, IEnumerable<string>? arguments = null)
    {
        FileName = fileName;
        if (arguments is not null)
        {
            Arguments = arguments.ToList();
        }
    }

    /// <summary>The program: a path, or a name looked up on the sandbox's PATH.</summary>
    public string FileName { get; set; } = string.Empty;

    /// <summary>The arguments, each passed as it is: no shell parsing, no quoting needed.</summary>
    public IList<string> Arguments { get; set; } = new List<string>();

    /// <summary>Variables added to the agent's environment for the process (a name given here wins).</summary>
    public IDictionary<string, string> Environment { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The working directory; null for the agent's default (the user's home).</summary>
    public string? WorkingDirectory { get; set; }

    /// <summary>A name to find the process again by (see <see cref="SandboxProcessSelector.ByTag"/>); need not be unique.</summary>
    public string? Tag { get; set; }

    /// <summary>
    /// Run the process in a pseudo-terminal of this size (its output then arrives as
    /// <see cref="SandboxProcessStream.Pty"/>); null for plain pipes.
    /// </summary>
    public SandboxTerminalSize? Pty { get; set; }

    /// <summary>
    /// How long the process may live: when it passes the agent kills it (SIGKILL). Null or zero
    /// (the default) means no limit: the process runs until it ends, however long that is. The
    /// session's timeout for ordinary calls never applies to a process.
    /// </summary>
    public TimeSpan? Timeout { get; set; }

    /// <summary>
    /// How often the agent sends a keepalive on an idle output stream (whole seconds, at least 1);
    /// keepalives keep proxies from closing a quiet stream and never reach the caller.
    /// </summary>
    public TimeSpan KeepaliveInterval { get; set; } = DefaultKeepaliveInterval;

    /// <summary>The lifetime limit to send, or null for none; throws for a negative timeout.</summary>
    internal TimeSpan? EffectiveTimeout
    {
        get
        {
            if (Timeout is not TimeSpan timeout || timeout == TimeSpan.Zero || timeout == System.Threading.Timeout.InfiniteTimeSpan)
            {
                return null;
            }
            if (timeout < TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(Timeout), timeout, "A process timeout cannot be negative; use null or zero for no limit.");
            }
            return timeout;
        }
    }

    /// <summary>
    /// A shell command line, run as the official SDKs run one: <c>/bin/bash -l -c &lt;command&gt;</c>
    /// (a login shell, so the user's profile and PATH apply).
    /// </summary>
    /// <exception cref="ArgumentException">The command is null or empty.</exception>
    public static SandboxProcessStartInfo ForCommand(string command)
    {
        if (string.IsNullOrEmpty(command))
        {
            throw new ArgumentException("A command is required.", nameof(command));
        }
        return new SandboxProcessStartInfo(DefaultShell, new[] { "-l", "-c", command });
    }

    /// <summary>
    /// An interactive login shell in a terminal, as the official SDKs open one:
    /// <c>/bin/bash -i -l</c> with <c>TERM=xterm-256color</c>, in a terminal of
    /// <paramref name="size"/> (default 80x24).
    /// </summary>
    public static SandboxProcessStartInfo ForShell(SandboxTerminalSize? size = null)
    {
        var info = new SandboxProcessStartInfo(DefaultShell, new[] { "-i", "-l" })
        {
            Pty = size ?? SandboxTerminalSize.Default,
        };
        info.Environment["TERM"] = DefaultTerminalType;
        return info;
    }

    /// <summary>The program and its arguments as one line, for messages.</summary>
    public string CommandLine => SandboxProcessInfo.FormatCommandLine(FileName, Arguments ?? Array.Empty<string>());

    public override string ToString() => CommandLine;
}

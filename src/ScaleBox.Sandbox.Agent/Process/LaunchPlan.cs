using Grpc.Core;
using ScaleBox.Sandbox.Agent.Filesystem;
using ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Agent.Processes;

/// <summary>
/// Everything needed to start one child, worked out from a StartRequest before anything is started:
/// the working directory (default: the agent's home, as the real agent's default is the user's
/// home), the environment (PATH from the agent, HOME, USER and LOGNAME, then the request's
/// variables, the last value of a name winning), and the executable, looked up on the agent's own
/// PATH as Go's exec.Command looks it up. As the real agent, it adds no TERM and no terminal size
/// of its own: the official SDKs send both (xterm-256color, 80x24), and a terminal asked for
/// without a size is 0x0.
/// </summary>
sealed record LaunchPlan(
    ProcessConfig Config,
    string? Tag,
    string Executable,
    IReadOnlyList<string> Argv,
    IReadOnlyList<string> Environment,
    string WorkingDirectory,
    PTY.Types.Size? TerminalSize)
{
    /// <summary>The command as the user wrote it, for messages.</summary>
    public string UserCommand => Describe(Config);

    static string Describe(ProcessConfig config) => string.Join(' ', config.Args.Prepend(config.Cmd));

    /// <summary>Throws invalid_argument for a missing working directory or a command that cannot be found.</summary>
    public static LaunchPlan From(StartRequest request, PathResolver paths)
    {
        ProcessConfig config = request.Process?.Clone() ?? new ProcessConfig();

        string cwd = string.IsNullOrEmpty(config.Cwd) ? paths.Home : paths.Resolve(config.Cwd);
        string userCommand = Describe(config);
        if (!Directory.Exists(cwd))
        {
            // The real agent checks only that it exists; anything else fails the chdir before exec.
            throw InvalidArgument(File.Exists(cwd)
                ? StartFailure(request, userCommand, cwd, $"chdir {cwd}: not a directory")
                : $"cwd '{cwd}' does not exist");
        }

        string agentPath = System.Environment.GetEnvironmentVariable("PATH") ?? "";
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = agentPath,
            ["HOME"] = paths.Home,
            ["USER"] = System.Environment.UserName,
            ["LOGNAME"] = System.Environment.UserName,
        };
        foreach ((string name, string value) in config.Envs)
        {
            environment[name] = value;
        }

        if (config.Args.Prepend(config.Cmd).Concat(config.Envs.Keys).Concat(config.Envs.Values).Any(s => s.Contains('\0')))
        {
            // A NUL cannot cross execve; this is what Go's os/exec answers for one.
            throw InvalidArgument(StartFailure(request, userCommand, cwd, $"fork/exec {config.Cmd}: invalid argument"));
        }
        string executable = FindExecutable(config.Cmd, agentPath, cwd)
            ?? throw InvalidArgument(StartFailure(request, userCommand, cwd, config.Cmd.Length == 0
                ? "exec: no command"
                : $"exec: \"{config.Cmd}\": executable file not found in $PATH"));

        PTY.Types.Size? size = null;
        if (request.Pty is not null)
        {
            size = new PTY.Types.Size
            {
                // Go's uint16 conversion keeps the low 16 bits.
                Cols = (ushort)(request.Pty.Size?.Cols ?? 0),
                Rows = (ushort)(request.Pty.Size?.Rows ?? 0),
            };
        }

        return new LaunchPlan(
            config,
            request.HasTag ? request.Tag : null,
            executable,
            [config.Cmd, .. config.Args],
            environment.Select(kv => kv.Key + "=" + kv.Value).ToArray(),
            cwd,
            size);
    }

    /// <summary>
    /// Like Go's exec.LookPath, on the agent's PATH (the request's PATH is the child's, not where its
    /// program is looked for): a name with a slash is used as it is (relative to
    /// the working directory); otherwise the first regular file with an execute bit on PATH.
    /// </summary>
    static string? FindExecutable(string command, string path, string cwd)
    {
        if (command.Length == 0 || command.Contains('\0'))
        {
            return null;
        }
        if (command.Contains('/'))
        {
            return command;
        }
        foreach (string directory in path.Split(':'))
        {
            string candidate = Path.GetFullPath(Path.Combine(directory.Length == 0 ? "." : directory, command), cwd);
            if (UnixStat.TryRead(candidate, followSymlink: true) is { Type: UnixStat.Regular } stat && (stat.Mode & 0b001_001_001) != 0)
            {
                return candidate;
            }
        }
        return null;
    }

    /// <summary>Why this start failed, under the real agent's prefix for a process on pipes or on a terminal.</summary>
    public string StartFailure(string reason) => StartFailure(TerminalSize, UserCommand, WorkingDirectory, reason);

    static string StartFailure(StartRequest request, string userCommand, string cwd, string reason) =>
        StartFailure(request.Pty is null ? null : request.Pty.Size ?? new PTY.Types.Size(), userCommand, cwd, reason);

    static string StartFailure(PTY.Types.Size? terminal, string userCommand, string cwd, string reason) => terminal is null
        ? $"error starting process '{userCommand}': {reason}"
        : $"error starting pty with command '{userCommand}' in dir '{cwd}' with '{terminal.Cols}' cols and '{terminal.Rows}' rows: {reason}";

    static RpcException InvalidArgument(string message) => new(new Status(StatusCode.InvalidArgument, message));
}

using Grpc.Core;
using ScaleBox.Sandbox.Agent.Filesystem;
using ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Agent.Processes;

/// <summary>
/// Everything needed to start one child, worked out from a StartRequest before anything is started:
/// the working directory (default: the agent's home, as the real agent's default is the user's
/// home), the environment (PATH from the agent, HOME, USER and LOGNAME, TERM for a terminal, then the
/// request's variables, the last value of a name winning), and the executable, looked up on the
/// child's PATH.
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
    public const ushort DefaultCols = 80;
    public const ushort DefaultRows = 24;
    public const string DefaultTerm = "xterm-256color";

    /// <summary>The command as the user wrote it, for messages.</summary>
    public string UserCommand => Describe(Config);

    static string Describe(ProcessConfig config) => string.Join(' ', config.Args.Prepend(config.Cmd));

    /// <summary>Throws invalid_argument for a missing working directory or a command that cannot be found.</summary>
    public static LaunchPlan From(StartRequest request, PathResolver paths)
    {
        ProcessConfig config = request.Process?.Clone() ?? new ProcessConfig();

        string cwd = string.IsNullOrEmpty(config.Cwd) ? paths.Home : paths.Resolve(config.Cwd);
        if (!Directory.Exists(cwd))
        {
            throw InvalidArgument(File.Exists(cwd) ? $"cwd '{cwd}' is not a directory" : $"cwd '{cwd}' does not exist");
        }

        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = System.Environment.GetEnvironmentVariable("PATH") ?? "",
            ["HOME"] = paths.Home,
            ["USER"] = System.Environment.UserName,
            ["LOGNAME"] = System.Environment.UserName,
        };
        if (request.Pty is not null)
        {
            environment["TERM"] = DefaultTerm;
        }
        foreach ((string name, string value) in config.Envs)
        {
            environment[name] = value;
        }

        string userCommand = Describe(config);
        if (config.Args.Prepend(config.Cmd).Concat(config.Envs.Keys).Concat(config.Envs.Values).Any(s => s.Contains('\0')))
        {
            // A NUL cannot cross execve; this is what Go's os/exec answers for one.
            throw InvalidArgument($"error starting process '{userCommand}': fork/exec {config.Cmd}: invalid argument");
        }
        string executable = FindExecutable(config.Cmd, environment["PATH"], cwd)
            ?? throw InvalidArgument($"error starting process '{userCommand}': " + (config.Cmd.Length == 0
                ? "exec: no command"
                : $"exec: \"{config.Cmd}\": executable file not found in $PATH"));

        PTY.Types.Size? size = null;
        if (request.Pty is not null)
        {
            size = new PTY.Types.Size
            {
                Cols = request.Pty.Size?.Cols is > 0 and var cols ? Math.Min(cols, ushort.MaxValue) : DefaultCols,
                Rows = request.Pty.Size?.Rows is > 0 and var rows ? Math.Min(rows, ushort.MaxValue) : DefaultRows,
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
    /// Like Go's exec.LookPath, on the child's PATH: a name with a slash is used as it is (relative to
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

    static RpcException InvalidArgument(string message) => new(new Status(StatusCode.InvalidArgument, message));
}

namespace ScaleBox.Sandbox.Agent.Hosting;

/// <summary>Settings of one agent run, parsed from the command line and the environment.</summary>
public sealed class AgentOptions
{
    public const string TokenVariable = "SBX_AGENT_TOKEN";

    /// <summary>Port for HTTP/1.1: Connect, gRPC-Web and the plain HTTP endpoints; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>
    /// Port for gRPC over cleartext HTTP/2 with prior knowledge, which speaks HTTP/1.1 too, as the
    /// real agent's one port (see <see cref="CleartextProtocolSniffer"/>); 0 picks a free one.
    /// </summary>
    public int Http2Port { get; init; }

    public required string AccessToken { get; init; }

    /// <summary>True when the token was made up by the agent, so it has to be shown to the user.</summary>
    public bool TokenGenerated { get; init; }

    /// <summary>The agent's home folder: default working directory and base of relative paths.</summary>
    public required string Home { get; init; }

    /// <summary>True when the agent made the home folder itself, so it removes it again on exit.</summary>
    public bool HomeGenerated { get; init; }

    /// <summary>
    /// Where the agent keeps what must outlive a crash (the journal of uploads in progress); null
    /// means <see cref="DefaultStateDirectory"/>. Agents that share it clean up after each other.
    /// </summary>
    public string? StateDirectory { get; init; }

    /// <summary><c>$XDG_STATE_HOME/scalebox-sandbox-agent</c>, else <c>~/.local/state/scalebox-sandbox-agent</c>.</summary>
    public static string DefaultStateDirectory()
    {
        string? xdg = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
        string baseDirectory = !string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg)
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile, Environment.SpecialFolderOption.DoNotVerify), ".local", "state");
        return Path.Combine(baseDirectory, "scalebox-sandbox-agent");
    }

    /// <summary>
    /// How long a CreateWatcher watcher may go without a GetWatcherEvents before it is removed
    /// (its client is taken to be gone). Default 10 minutes; --watcher-expiry SECONDS.
    /// </summary>
    public TimeSpan WatcherExpiry { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Events a CreateWatcher watcher holds between drains before dropping its oldest. --watcher-capacity N.</summary>
    public int WatcherCapacity { get; init; } = 100_000;

    public static AgentOptions Parse(string[] args, Func<string, string?> environment)
    {
        int port = 0, http2Port = 0;
        var defaults = new AgentOptions { AccessToken = "", Home = "" };
        TimeSpan watcherExpiry = defaults.WatcherExpiry;
        int watcherCapacity = defaults.WatcherCapacity;
        string? token = null, home = null, state = null;
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length
                ? args[++i]
                : throw new ArgumentException($"Option {args[i]} needs a value.");
            switch (args[i])
            {
                case "--port": port = ParsePort(Value(), "--port"); break;
                case "--http2-port": http2Port = ParsePort(Value(), "--http2-port"); break;
                case "--token": token = Value(); break;
                case "--home": home = Value(); break;
                case "--state-dir": state = Path.GetFullPath(Value()); break;
                case "--watcher-expiry": watcherExpiry = TimeSpan.FromSeconds(ParsePositive(Value(), "--watcher-expiry")); break;
                case "--watcher-capacity": watcherCapacity = ParsePositive(Value(), "--watcher-capacity"); break;
                default: throw new ArgumentException($"Unknown option '{args[i]}'. Options: --port N, --http2-port N, --token T, --home DIR, --watcher-expiry SECONDS, --watcher-capacity N, --state-dir DIR.");
            }
        }

        bool generated = false;
        token ??= environment(TokenVariable);
        if (string.IsNullOrEmpty(token))
        {
            token = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
            generated = true;
        }

        bool homeGenerated = home is null;
        home ??= Path.Combine(Path.GetTempPath(), "sbx-agent-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..8]);
        home = Path.GetFullPath(home);
        Directory.CreateDirectory(home);

        return new AgentOptions
        {
            Port = port,
            Http2Port = http2Port,
            AccessToken = token,
            TokenGenerated = generated,
            Home = home,
            HomeGenerated = homeGenerated,
            StateDirectory = state,
            WatcherExpiry = watcherExpiry,
            WatcherCapacity = watcherCapacity,
        };
    }

    static int ParsePort(string text, string option) =>
        int.TryParse(text, out int value) && value is >= 0 and <= 65535
            ? value
            : throw new ArgumentException($"{option} takes a port number from 0 to 65535, not '{text}'.");

    static int ParsePositive(string text, string option) =>
        int.TryParse(text, out int value) && value > 0
            ? value
            : throw new ArgumentException($"{option} takes a whole number above 0, not '{text}'.");
}

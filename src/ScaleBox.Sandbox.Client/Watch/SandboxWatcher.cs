namespace ScaleBox.Sandbox.Client.Watch;

/// <summary>
/// A watcher kept by the agent (poll mode): it gathers changes until they are drained with
/// <see cref="SandboxWatchers.GetEventsAsync"/>, and lives until removed with
/// <see cref="SandboxWatchers.RemoveAsync"/> (or the agent restarts).
/// </summary>
public sealed class SandboxWatcher
{
    public SandboxWatcher(string id, string path, bool recursive, string domain)
    {
        Id = id;
        Path = path;
        Recursive = recursive;
        Domain = domain;
    }

    /// <summary>The agent's id for the watcher.</summary>
    public string Id { get; }

    /// <summary>The watched directory, as an absolute sandbox path.</summary>
    public string Path { get; }

    public bool Recursive { get; }

    /// <summary>The sandbox the watcher lives in.</summary>
    public string Domain { get; }

    public override string ToString() => $"{Id} ({Path})";
}

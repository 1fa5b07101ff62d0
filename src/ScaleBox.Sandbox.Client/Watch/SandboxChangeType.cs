namespace ScaleBox.Sandbox.Client.Watch;

/// <summary>What happened to an entry in a watched directory (the agent's inotify event kinds).</summary>
public enum SandboxChangeType
{
    Create = 1,
    Write = 2,
    Remove = 3,
    Rename = 4,
    Chmod = 5,
}

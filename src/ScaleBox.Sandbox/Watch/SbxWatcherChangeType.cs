namespace ScaleBox.Sandbox.Watch;

/// <summary>
/// What an event of Register-SbxWatcher is about: a change in the directory (the first five), a
/// <see cref="Gap"/> (the watch was lost and is back; changes in between may be missing), or
/// <see cref="Failed"/> (the watch ended for good; the event's Error says why).
/// </summary>
public enum SbxWatcherChangeType
{
    Create = 1,
    Write = 2,
    Remove = 3,
    Rename = 4,
    Chmod = 5,
    Gap = 100,
    Failed = 101,
}

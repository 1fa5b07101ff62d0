using ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Agent.Watch;

/// <summary>
/// inotify masks as the real agent reports them, through fsnotify's operations: IN_CREATE and
/// IN_MOVED_TO are CREATE, IN_MODIFY is WRITE, IN_DELETE and IN_DELETE_SELF are REMOVE,
/// IN_MOVED_FROM and IN_MOVE_SELF are RENAME (the old name; the new one follows as CREATE),
/// IN_ATTRIB is CHMOD. One record can carry several; they come in the order the real agent sends
/// them: CREATE, RENAME, CHMOD, WRITE, REMOVE.
/// </summary>
static class WatchEventTypes
{
    public static IEnumerable<EventType> Of(uint mask)
    {
        if ((mask & (Inotify.IN_CREATE | Inotify.IN_MOVED_TO)) != 0) yield return EventType.Create;
        if ((mask & (Inotify.IN_MOVED_FROM | Inotify.IN_MOVE_SELF)) != 0) yield return EventType.Rename;
        if ((mask & Inotify.IN_ATTRIB) != 0) yield return EventType.Chmod;
        if ((mask & Inotify.IN_MODIFY) != 0) yield return EventType.Write;
        if ((mask & (Inotify.IN_DELETE | Inotify.IN_DELETE_SELF)) != 0) yield return EventType.Remove;
    }
}

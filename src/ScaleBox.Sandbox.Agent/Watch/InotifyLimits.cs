using Grpc.Core;
using ScaleBox.Sandbox.Agent.Processes;

namespace ScaleBox.Sandbox.Agent.Watch;

/// <summary>
/// The kernel's inotify limits (/proc/sys/fs/inotify), named in the errors a watch fails with, so
/// that a caller learns which sysctl to raise instead of guessing.
/// </summary>
static class InotifyLimits
{
    const string Folder = "/proc/sys/fs/inotify/";

    /// <summary>Events the kernel queues per inotify instance before it drops them and says IN_Q_OVERFLOW.</summary>
    public static string MaxQueuedEvents => Read("max_queued_events");

    public static string MaxUserWatches => Read("max_user_watches");

    public static string MaxUserInstances => Read("max_user_instances");

    static string Read(string name)
    {
        try
        {
            return File.ReadAllText(Folder + name).Trim();
        }
        catch (IOException)
        {
            return "unknown";
        }
        catch (UnauthorizedAccessException)
        {
            return "unknown";
        }
    }

    /// <summary>An inotify_init1 failure as a status.</summary>
    public static RpcException InitFailed(int errno) => errno == Inotify.EMFILE
        ? new RpcException(new Status(StatusCode.ResourceExhausted,
            $"cannot watch: too many inotify instances (fs.inotify.max_user_instances = {MaxUserInstances})"))
        : new RpcException(new Status(StatusCode.Internal, $"cannot watch: inotify_init1: {LibC.Describe(errno)}"));

    /// <summary>An inotify_add_watch failure as a status.</summary>
    public static RpcException AddFailed(string path, int errno) => errno switch
    {
        Inotify.ENOSPC => new RpcException(new Status(StatusCode.ResourceExhausted,
            $"cannot watch {path}: inotify watch limit reached (fs.inotify.max_user_watches = {MaxUserWatches})")),
        Inotify.ENOENT => new RpcException(new Status(StatusCode.NotFound, $"path not found: {path}")),
        Inotify.ENOTDIR => new RpcException(new Status(StatusCode.InvalidArgument, $"path is not a directory: {path}")),
        _ => new RpcException(new Status(StatusCode.Internal, $"cannot watch {path}: {LibC.Describe(errno)}")),
    };

    /// <summary>
    /// How a watch says the kernel dropped events: its stream ends with this status (resource_exhausted),
    /// so that a client knows its picture is incomplete and can list the directory and watch again.
    /// </summary>
    public static RpcException Overflowed(string path) => new(new Status(StatusCode.ResourceExhausted,
        $"watch of {path} lost events: the inotify event queue overflowed (fs.inotify.max_queued_events = {MaxQueuedEvents}); list the directory and watch it again"));
}

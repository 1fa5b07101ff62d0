using Grpc.Core;
using ScaleBox.Sandbox.Agent.Filesystem;

namespace ScaleBox.Sandbox.Agent.Watch;

/// <summary>The folder a watch request names, checked as the real agent does: missing is not_found, not a directory invalid_argument.</summary>
static class WatchTarget
{
    public static string Resolve(PathResolver paths, string requested)
    {
        string path = paths.Resolve(requested);
        UnixStat stat = UnixStat.TryRead(path, followSymlink: true)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"path not found: {path}"));
        if (stat.Type != UnixStat.Directory)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"path is not a directory: {path}"));
        }
        return path;
    }
}

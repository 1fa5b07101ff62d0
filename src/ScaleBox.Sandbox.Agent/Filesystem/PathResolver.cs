using System.Text;
using Grpc.Core;
using ScaleBox.Sandbox.Agent.Hosting;

namespace ScaleBox.Sandbox.Agent.Filesystem;

/// <summary>
/// Turns a path from a request into an absolute local path: <c>~</c> and relative paths start at
/// the agent's home folder, as the real agent starts them at the user's home.
/// </summary>
public sealed class PathResolver(AgentOptions options)
{
    /// <summary>Linux's PATH_MAX and NAME_MAX, in bytes: longer cannot name a file, so it is the caller's mistake.</summary>
    public const int MaxPathBytes = 4096, MaxNameBytes = 255;

    public string Home => options.Home;

    public string Resolve(string? requested)
    {
        if (string.IsNullOrEmpty(requested))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "path is required"));
        }
        if (requested.Contains('\0'))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "path contains a NUL character"));
        }
        CheckLength(requested);

        string expanded = requested == "~" ? Home
            : requested.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(Home, requested[2..])
            : requested;
        // Cleaned like Go's filepath.Clean: no "." or ".." segments, no trailing slash but on "/".
        string full = Path.GetFullPath(expanded, Home);
        full = full.Length > 1 ? full.TrimEnd('/') : full;
        CheckLength(full);
        return full;
    }

    /// <summary>
    /// Refuses a path the kernel would refuse with ENAMETOOLONG, before it gets there: checked up front
    /// it is <c>invalid_argument</c> wherever the path came from, not an I/O error of whatever used it.
    /// </summary>
    static void CheckLength(string path)
    {
        int bytes = Encoding.UTF8.GetByteCount(path);
        if (bytes > MaxPathBytes)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument,
                $"path is too long: {bytes} bytes, at most {MaxPathBytes} are allowed"));
        }
        foreach (string name in path.Split('/'))
        {
            if (Encoding.UTF8.GetByteCount(name) > MaxNameBytes)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument,
                    $"a name in the path is too long: at most {MaxNameBytes} bytes are allowed per name"));
            }
        }
    }
}

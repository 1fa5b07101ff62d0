using Grpc.Core;
using ScaleBox.Sandbox.Agent.Hosting;

namespace ScaleBox.Sandbox.Agent.Filesystem;

/// <summary>
/// Turns a path from a request into an absolute local path: <c>~</c> and relative paths start at
/// the agent's home folder, as the real agent starts them at the user's home.
/// </summary>
public sealed class PathResolver(AgentOptions options)
{
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

        string expanded = requested == "~" ? Home
            : requested.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(Home, requested[2..])
            : requested;
        // Cleaned like Go's filepath.Clean: no "." or ".." segments, no trailing slash but on "/".
        string full = Path.GetFullPath(expanded, Home);
        return full.Length > 1 ? full.TrimEnd('/') : full;
    }
}

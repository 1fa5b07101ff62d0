using Grpc.Core;
using ScaleBox.Sandbox.Agent.Filesystem;

namespace ScaleBox.Sandbox.Agent.Files;

/// <summary>Turns the paths of the file endpoints into local paths, with the agent's <see cref="PathResolver"/>.</summary>
public static class FilePaths
{
    /// <summary>A path from an upload (query, form field or file name): absolute, <c>~</c>, or relative to the home.</summary>
    public static string Resolve(PathResolver resolver, string requested)
    {
        try
        {
            return resolver.Resolve(requested);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.InvalidArgument)
        {
            throw new FileEndpointException(StatusCodes.Status400BadRequest, e.Status.Detail);
        }
    }

    /// <summary>
    /// A path as it travels in a download URL or a signature: its leading slashes are dropped on
    /// the wire, so it always stands for an absolute path, except that <c>~</c> and <c>~/…</c> name
    /// the home. Two URL paths that sign the same way therefore always resolve to the same file.
    /// </summary>
    public static string ResolveUrlPath(PathResolver resolver, string path)
    {
        string trimmed = path.TrimStart('/');
        bool home = trimmed == "~" || trimmed.StartsWith("~/", StringComparison.Ordinal);
        return Resolve(resolver, home ? trimmed : "/" + trimmed);
    }
}

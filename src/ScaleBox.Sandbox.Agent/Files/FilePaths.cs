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

    /// <summary>
    /// The file name of a multipart part, used as its destination when no path names one (the SDK
    /// puts the full destination there). It is a path the caller could as well have put in the
    /// <c>path</c> field, so it is resolved the same way; but a name is what browsers and other
    /// tools fill in from the sender's side, so one that climbs with <c>..</c> is refused rather
    /// than followed out of the folder it seems to be in.
    /// </summary>
    public static string ResolveFileName(PathResolver resolver, string fileName)
    {
        if (HasParentSegment(fileName))
        {
            throw new FileEndpointException(StatusCodes.Status400BadRequest,
                $"the file name '{fileName}' has a '..' segment: send the destination in the path field or query parameter instead");
        }
        return Resolve(resolver, fileName);
    }

    /// <summary>True when <paramref name="fileName"/> names a safe destination (see <see cref="ResolveFileName"/>).</summary>
    public static bool TryResolveFileName(PathResolver resolver, string? fileName, out string? resolved)
    {
        resolved = null;
        if (string.IsNullOrEmpty(fileName) || HasParentSegment(fileName))
        {
            return false;
        }
        try
        {
            resolved = Resolve(resolver, fileName);
            return true;
        }
        catch (FileEndpointException)
        {
            return false;
        }
    }

    // Both separators: a Windows sender's "..\x" must not become a name that climbs elsewhere.
    static bool HasParentSegment(string path) => path.Split('/', '\\').Any(segment => segment == "..");
}

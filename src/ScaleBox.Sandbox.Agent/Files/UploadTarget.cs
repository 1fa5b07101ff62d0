using ScaleBox.Sandbox.Agent.Filesystem;

namespace ScaleBox.Sandbox.Agent.Files;

/// <summary>Gets a destination ready to receive an upload, as the real agent does before it writes.</summary>
public static class UploadTarget
{
    /// <summary>
    /// Refuses a directory (400), creates the parent directories, and follows a symlink to the file
    /// it names, which is what gets replaced (the real agent writes through the link).
    /// </summary>
    /// <returns>The path to rename the received file to.</returns>
    public static string Prepare(string destination)
    {
        string target = destination;
        if (UnixStat.TryRead(destination, followSymlink: false) is { Type: UnixStat.Symlink })
        {
            try
            {
                target = new FileInfo(destination).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? destination;
            }
            catch (IOException)
            {
                // A link loop: leave it to the rename, which replaces the link itself.
            }
        }

        if (UnixStat.TryRead(target, followSymlink: true) is { Type: UnixStat.Directory })
        {
            throw new FileEndpointException(StatusCodes.Status400BadRequest, $"path is a directory: {destination}");
        }

        // A file where a parent folder should be: the real agent's EnsureDirs stops there, answered 500.
        for (string? parent = Path.GetDirectoryName(target); parent is not null; parent = Path.GetDirectoryName(parent))
        {
            if (UnixStat.TryRead(parent, followSymlink: true) is { } existing)
            {
                if (existing.Type != UnixStat.Directory)
                {
                    throw new FileEndpointException(StatusCodes.Status500InternalServerError, $"error ensuring directories: path is a file: {parent}");
                }
                break;
            }
        }

        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        }
        catch (IOException e) when (DiskErrors.IsDiskFull(e))
        {
            throw DiskErrors.Writing(e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FileEndpointException(StatusCodes.Status500InternalServerError, "error ensuring directories: " + e.Message);
        }
        return target;
    }
}

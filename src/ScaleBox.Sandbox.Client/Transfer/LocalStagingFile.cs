using System;
using System.IO;

namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>
/// A download's local file while it is in flight: a hidden name beside the target, moved onto
/// the target only when complete and verified, deleted on any failure. The target therefore
/// either keeps its old content or gets the whole new one, never a part.
/// </summary>
internal sealed class LocalStagingFile : IDisposable
{
    bool _committed;

    LocalStagingFile(string target, string path, FileStream stream)
    {
        Target = target;
        Path = path;
        Stream = stream;
    }

    public string Target { get; }

    /// <summary>The staging file's own path.</summary>
    public string Path { get; }

    /// <summary>Write-only, unbuffered (the copy writes large chunks already).</summary>
    public FileStream Stream { get; }

    /// <summary>Creates the staging file in the target's directory, which must exist.</summary>
    public static LocalStagingFile Create(string target)
    {
        string directory = System.IO.Path.GetDirectoryName(target)
            ?? throw new ArgumentException($"'{target}' has no parent directory to write into.", nameof(target));
        string path = System.IO.Path.Combine(directory, RemotePaths.StagingName(System.IO.Path.GetFileName(target)));
        var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1, FileOptions.Asynchronous);
        return new LocalStagingFile(target, path, stream);
    }

    /// <summary>Closes the staging file and renames it onto the target.</summary>
    /// <returns>False when the target exists and <paramref name="overwrite"/> is false.</returns>
    public bool Commit(bool overwrite)
    {
        Stream.Dispose();
        if (!overwrite && File.Exists(Target))
        {
            return false;
        }
#if NETCOREAPP3_0_OR_GREATER
        // rename(2) on Unix: atomic, and it replaces a symbolic link itself rather than writing through it.
        File.Move(Path, Target, overwrite);
#else
        if (overwrite && File.Exists(Target))
        {
            File.Replace(Path, Target, destinationBackupFileName: null, ignoreMetadataErrors: true);
        }
        else
        {
            File.Move(Path, Target);
        }
#endif
        _committed = true;
        return true;
    }

    /// <summary>Deletes the staging file unless it was committed.</summary>
    public void Dispose()
    {
        Stream.Dispose();
        if (!_committed)
        {
            try
            {
                File.Delete(Path);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}

using System.Runtime.InteropServices;

namespace ScaleBox.Sandbox.Agent.Filesystem;

/// <summary>
/// A rename as Go's os.Rename makes it on Unix, which the real agent calls: a directory at the new
/// name is refused with EEXIST before anything else (after the old name's own error, if it has
/// one); otherwise rename(2) itself, in one step, where a file replaces a file. .NET's File.Move
/// and Directory.Move each add rules of their own.
/// </summary>
public static class UnixRename
{
    const int FileExists = 17; // EEXIST

    /// <returns>0, or the errno of the failure.</returns>
    public static int TryRename(string oldPath, string newPath)
    {
        if (UnixStat.TryRead(newPath, followSymlink: false) is { Type: UnixStat.Directory })
        {
            return UnixStat.TryRead(oldPath, followSymlink: false, out int oldError) is null ? oldError : FileExists;
        }
        return rename(oldPath, newPath) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    [DllImport("libc", SetLastError = true)]
    static extern int rename([MarshalAs(UnmanagedType.LPUTF8Str)] string oldPath, [MarshalAs(UnmanagedType.LPUTF8Str)] string newPath);
}

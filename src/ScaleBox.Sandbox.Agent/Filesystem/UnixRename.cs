using System.Runtime.InteropServices;

namespace ScaleBox.Sandbox.Agent.Filesystem;

/// <summary>
/// rename(2) itself, as Go's os.Rename calls it: a file or a directory replaces what is at the new
/// name if the kernel allows it (a file over a file, a directory over an empty directory), in one
/// step. .NET's File.Move and Directory.Move each add rules of their own.
/// </summary>
public static class UnixRename
{
    /// <returns>0, or the errno of the failure.</returns>
    public static int TryRename(string oldPath, string newPath) =>
        rename(oldPath, newPath) == 0 ? 0 : Marshal.GetLastPInvokeError();

    [DllImport("libc", SetLastError = true)]
    static extern int rename([MarshalAs(UnmanagedType.LPUTF8Str)] string oldPath, [MarshalAs(UnmanagedType.LPUTF8Str)] string newPath);
}

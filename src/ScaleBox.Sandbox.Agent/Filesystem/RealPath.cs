using System.Runtime.InteropServices;

namespace ScaleBox.Sandbox.Agent.Filesystem;

/// <summary>
/// A path with every symbolic link in it resolved, as Go's filepath.EvalSymlinks gives it for an
/// absolute path (the real agent reports a link's target this way): null when a link dangles or
/// loops, or a component is missing.
/// </summary>
public static class RealPath
{
    public static string? TryResolve(string path)
    {
        IntPtr resolved = realpath(path, IntPtr.Zero);
        if (resolved == IntPtr.Zero)
        {
            return null;
        }
        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            free(resolved);
        }
    }

    [DllImport("libc", SetLastError = true)]
    static extern IntPtr realpath([MarshalAs(UnmanagedType.LPUTF8Str)] string path, IntPtr resolved);

    [DllImport("libc")]
    static extern void free(IntPtr pointer);
}

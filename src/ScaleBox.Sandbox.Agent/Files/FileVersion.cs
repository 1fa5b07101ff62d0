using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ScaleBox.Sandbox.Agent.Files;

/// <summary>
/// Which version of a file a download serves, read from the open handle itself (so it describes the
/// bytes being sent, even if the path is replaced meanwhile). The entity tag changes whenever the
/// size, the modification time (to the tick) or the inode does: an upload, which renames a new
/// file into place, always gets a new inode.
/// </summary>
public readonly record struct FileVersion(long Size, DateTimeOffset ModifiedTime, ulong Inode)
{
    const int AtEmptyPath = 0x1000;
    const uint StatxBasicStats = 0x7ff;

    /// <summary>A strong entity tag, quoted as HTTP wants it.</summary>
    public string EntityTag => string.Create(CultureInfo.InvariantCulture,
        $"\"{Size:x}-{ModifiedTime.UtcTicks:x}-{Inode:x}\"");

    public static FileVersion Of(SafeFileHandle handle)
    {
        Span<byte> buffer = stackalloc byte[256];
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            if (statx((int)handle.DangerousGetHandle(), "", AtEmptyPath, StatxBasicStats, ref MemoryMarshal.GetReference(buffer)) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                throw new IOException(Marshal.GetPInvokeErrorMessage(errno), errno);
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
        // struct statx: u64 ino @32, u64 size @40, mtime {i64 sec @112, u32 nsec @120} (see UnixStat).
        long seconds = MemoryMarshal.Read<long>(buffer[112..]);
        uint nanoseconds = MemoryMarshal.Read<uint>(buffer[120..]);
        return new FileVersion(
            MemoryMarshal.Read<long>(buffer[40..]),
            DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(nanoseconds / 100),
            MemoryMarshal.Read<ulong>(buffer[32..]));
    }

    [DllImport("libc", SetLastError = true)]
    static extern int statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, ref byte buffer);
}

using System.Runtime.InteropServices;

namespace ScaleBox.Sandbox.Agent.Filesystem;

/// <summary>
/// What stat says about a path, including the owner ids and mode bits that .NET does not expose.
/// Read with statx(2), whose struct layout is the same on every Linux architecture (unlike struct stat).
/// </summary>
public readonly record struct UnixStat(uint Uid, uint Gid, uint Mode, long Size, DateTimeOffset ModifiedTime)
{
    const int AtFdCwd = -100;
    const int AtSymlinkNoFollow = 0x100;
    const uint StatxBasicStats = 0x7ff;

    public const uint TypeMask = 0xF000;
    public const uint Directory = 0x4000;
    public const uint Regular = 0x8000;
    public const uint Symlink = 0xA000;
    public const uint Fifo = 0x1000;
    public const uint Socket = 0xC000;
    public const uint CharDevice = 0x2000;
    public const uint BlockDevice = 0x6000;

    public uint Type => Mode & TypeMask;

    public const int NoSuchFile = 2;      // ENOENT
    public const int TooManyLinks = 40;   // ELOOP

    /// <summary>Null when the path does not exist (or, following links, points nowhere).</summary>
    public static UnixStat? TryRead(string path, bool followSymlink) => TryRead(path, followSymlink, out _);

    /// <summary>Null when stat fails, with its errno: <see cref="NoSuchFile"/> when the path does not exist.</summary>
    public static UnixStat? TryRead(string path, bool followSymlink, out int errno)
    {
        Span<byte> buffer = stackalloc byte[256];
        int flags = followSymlink ? 0 : AtSymlinkNoFollow;
        errno = 0;
        if (statx(AtFdCwd, path, flags, StatxBasicStats, ref MemoryMarshal.GetReference(buffer)) != 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return null;
        }
        // struct statx (native byte order): u32 mask @0, u32 blksize @4, u64 attributes @8, u32 nlink @16,
        // u32 uid @20, u32 gid @24, u16 mode @28, u64 ino @32, u64 size @40, ..., mtime {i64 sec, u32 nsec} @112.
        long seconds = MemoryMarshal.Read<long>(buffer[112..]);
        uint nanoseconds = MemoryMarshal.Read<uint>(buffer[120..]);
        return new UnixStat(
            MemoryMarshal.Read<uint>(buffer[20..]),
            MemoryMarshal.Read<uint>(buffer[24..]),
            MemoryMarshal.Read<ushort>(buffer[28..]),
            MemoryMarshal.Read<long>(buffer[40..]),
            DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(nanoseconds / 100));
    }

    /// <summary>
    /// The mode as Go's FileMode.String() spells it, which is what the real agent reports: type and
    /// special-bit letters in Go's order (d, L, D, p, S, u, g, c, t), or '-', then rwxrwxrwx.
    /// </summary>
    public string PermissionString()
    {
        const uint SetUid = 0x800, SetGid = 0x400, Sticky = 0x200;
        var text = new System.Text.StringBuilder(12);
        if (Type == Directory) text.Append('d');
        if (Type == Symlink) text.Append('L');
        if (Type is BlockDevice or CharDevice) text.Append('D');
        if (Type == Fifo) text.Append('p');
        if (Type == Socket) text.Append('S');
        if ((Mode & SetUid) != 0) text.Append('u');
        if ((Mode & SetGid) != 0) text.Append('g');
        if (Type == CharDevice) text.Append('c');
        if ((Mode & Sticky) != 0) text.Append('t');
        if (text.Length == 0) text.Append('-');

        const string letters = "rwxrwxrwx";
        for (int i = 0; i < 9; i++)
        {
            text.Append((Mode & (1u << (8 - i))) != 0 ? letters[i] : '-');
        }
        return text.ToString();
    }

    [DllImport("libc", SetLastError = true)]
    static extern int statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, ref byte buffer);
}

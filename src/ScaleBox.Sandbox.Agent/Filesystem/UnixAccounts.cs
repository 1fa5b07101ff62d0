using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace ScaleBox.Sandbox.Agent.Filesystem;

/// <summary>User and group names for numeric ids, looked up once each; the number when there is no name.</summary>
public static class UnixAccounts
{
    static readonly ConcurrentDictionary<uint, string> Users = new();
    static readonly ConcurrentDictionary<uint, string> Groups = new();
    static readonly object LookupLock = new(); // getpwuid/getgrgid return static buffers

    public static string UserName(uint uid) => Users.GetOrAdd(uid, id => Lookup(() => getpwuid(id), id));

    public static string GroupName(uint gid) => Groups.GetOrAdd(gid, id => Lookup(() => getgrgid(id), id));

    static string Lookup(Func<IntPtr> lookup, uint id)
    {
        lock (LookupLock)
        {
            IntPtr entry = lookup();
            // Both struct passwd and struct group begin with a char* name.
            string? name = entry == IntPtr.Zero ? null : Marshal.PtrToStringUTF8(Marshal.ReadIntPtr(entry));
            return string.IsNullOrEmpty(name) ? id.ToString(System.Globalization.CultureInfo.InvariantCulture) : name;
        }
    }

    [DllImport("libc", SetLastError = true)]
    static extern IntPtr getpwuid(uint uid);

    [DllImport("libc", SetLastError = true)]
    static extern IntPtr getgrgid(uint gid);
}

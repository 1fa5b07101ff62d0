using System;

namespace ScaleBox.Sandbox.Client.Files;

/// <summary>
/// POSIX path arithmetic for paths inside a sandbox. System.IO.Path would use the local
/// machine's rules, which are wrong on Windows.
/// </summary>
public static class SandboxPath
{
    public const char Separator = '/';

    /// <summary>The last segment: "/a/b/" gives "b", "/" gives "".</summary>
    public static string GetLeaf(string path)
    {
        string trimmed = TrimEnd(path);
        int slash = trimmed.LastIndexOf(Separator);
        return slash < 0 ? trimmed : trimmed.Substring(slash + 1);
    }

    /// <summary>Everything before the last segment: "/a/b" gives "/a", "/a" gives "/", "b" gives ".".</summary>
    public static string GetParent(string path)
    {
        string trimmed = TrimEnd(path);
        int slash = trimmed.LastIndexOf(Separator);
        if (slash < 0)
        {
            return ".";
        }
        return slash == 0 ? "/" : trimmed.Substring(0, slash);
    }

    public static string Join(string parent, string child)
    {
        if (child.Length > 0 && child[0] == Separator)
        {
            return child;
        }
        return parent.Length == 0 || parent == "." ? child
            : parent[parent.Length - 1] == Separator ? parent + child
            : parent + Separator + child;
    }

    /// <summary>
    /// Whether one path is the other or lies inside it ("/a" and "/a/b" do, "/a" and "/ab" do not),
    /// compared as written: two spellings of one place ("~/a", "/root/a") are not matched.
    /// </summary>
    public static bool Overlap(string first, string second) => IsWithin(first, second) || IsWithin(second, first);

    /// <summary>
    /// Whether two paths as given may name one place, or one lie inside the other, without asking
    /// the agent: relative paths (and "~/...") are compared cleaned among themselves, since both
    /// start at the home; a relative and an absolute path, or a relative one at or above the home,
    /// are taken to overlap, since where the home is is not known here.
    /// </summary>
    public static bool MayOverlap(string first, string second)
    {
        string a = FromHome(first);
        string b = FromHome(second);
        bool absolute = a[0] == Separator;
        if (absolute != (b[0] == Separator))
        {
            return true;
        }
        return absolute ? Overlap(a, b) : IsHomeOrAbove(a) || IsHomeOrAbove(b) || Overlap(a, b);
    }

    static string FromHome(string path) =>
        Transfer.RemotePaths.Clean(path == "~" ? "." : path.StartsWith("~/", StringComparison.Ordinal) ? path.Substring(2) : path);

    static bool IsHomeOrAbove(string cleaned) => cleaned == "." || cleaned == ".." || cleaned.StartsWith("../", StringComparison.Ordinal);

    /// <summary>Whether <paramref name="path"/> is <paramref name="directory"/> or lies inside it, compared as written (as <see cref="Overlap"/>).</summary>
    public static bool IsWithin(string path, string directory) => Transfer.RemotePaths.IsWithin(TrimEnd(path), TrimEnd(directory));

    /// <summary>
    /// Whether a name from the sandbox can be used as one local file name as it is: not empty,
    /// not "." or "..", no separator of either kind, no NUL, and on Windows no ':' (a drive
    /// prefix or an alternate data stream). A sandbox runs untrusted code, so names it reports
    /// are checked before they touch the local disk.
    /// </summary>
    public static bool IsPlainName(string? name) =>
        !string.IsNullOrEmpty(name)
        && name != "." && name != ".."
        && name!.IndexOfAny(new[] { '/', '\\', '\0' }) < 0
        && !(OnWindows && name.IndexOf(':') >= 0);

    static readonly bool OnWindows = System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Windows);

    static string TrimEnd(string path)
    {
        if (path is null)
        {
            throw new ArgumentNullException(nameof(path));
        }
        string trimmed = path.TrimEnd(Separator);
        return trimmed.Length == 0 && path.Length > 0 ? "/" : trimmed;
    }
}

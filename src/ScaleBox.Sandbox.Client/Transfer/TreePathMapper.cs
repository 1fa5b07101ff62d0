using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using ScaleBox.Sandbox.Client.Files;

namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>
/// Maps the entries of a sandbox listing to local paths, treating the listing as hostile: code
/// in the sandbox chooses the names, so a name must never steer a write outside the local
/// destination. An entry is refused when its path does not start with the requested directory,
/// or its name relative to that directory is empty, absolute, has an empty, <c>.</c> or
/// <c>..</c> segment, a NUL, a backslash, a drive prefix (<c>C:</c>), a character the local file
/// system cannot hold (on Windows also a reserved device name or a trailing dot or space), or
/// when the local path it gives resolves outside the destination anyway.
/// </summary>
internal static class TreePathMapper
{
    static readonly bool IsWindows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
    static readonly char[] InvalidLocalChars = Path.GetInvalidFileNameChars();
    static readonly string[] WindowsDeviceNames =
    {
        "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
        "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    };

    /// <summary>Local paths are compared as the local file system compares names.</summary>
    internal static StringComparison LocalComparison =>
        IsWindows || RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    internal static StringComparer LocalComparer =>
        LocalComparison == StringComparison.OrdinalIgnoreCase ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;

    /// <summary>
    /// The entry's path relative to whichever of <paramref name="remoteRoots"/> it starts with
    /// (each cleaned, without a trailing slash), checked as a name; null with the reason when refused.
    /// </summary>
    public static string? GetRelativeName(string entryPath, IReadOnlyList<string> remoteRoots, out string? matchedRoot, out string? reason)
    {
        matchedRoot = null;
        if (string.IsNullOrEmpty(entryPath))
        {
            reason = "the sandbox listed an entry without a path";
            return null;
        }
        foreach (string root in remoteRoots)
        {
            string prefix = root == "/" ? "/" : root + "/";
            if (entryPath.StartsWith(prefix, StringComparison.Ordinal))
            {
                matchedRoot = root;
                string relative = entryPath.Substring(prefix.Length);
                reason = CheckRelativeName(relative);
                return reason is null ? relative : null;
            }
        }
        reason = $"its path does not start with the requested directory '{remoteRoots[0]}'";
        return null;
    }

    /// <summary>Null when the relative name is safe to use below a local directory, else why not.</summary>
    public static string? CheckRelativeName(string relative)
    {
        if (relative.Length == 0)
        {
            return "its name relative to the requested directory is empty";
        }
        if (relative.IndexOf('\0') >= 0)
        {
            return "its name contains a NUL character";
        }
        if (relative.IndexOf('\\') >= 0)
        {
            return "its name contains a backslash, which is a path separator on Windows";
        }
        if (relative[0] == '/')
        {
            return "its name is an absolute path";
        }
        if (relative.Length >= 2 && relative[1] == ':' && IsAsciiLetter(relative[0]))
        {
            return "its name starts with a drive prefix";
        }
        foreach (string segment in relative.Split('/'))
        {
            if (segment.Length == 0 || segment == ".")
            {
                return "its name has an empty or '.' segment";
            }
            if (segment == "..")
            {
                return "its name has a '..' segment";
            }
            if (segment.IndexOfAny(InvalidLocalChars) >= 0)
            {
                return "its name has a character the local file system cannot hold";
            }
            if (IsWindows && IsUnsafeOnWindows(segment))
            {
                return $"its name has the segment '{segment}', which Windows would treat as a device or shorten";
            }
        }
        return null;
    }

    /// <summary>
    /// The local path for a checked relative name: below <paramref name="localRoot"/> (a full
    /// path), or null with the reason when it resolves anywhere else.
    /// </summary>
    public static string? MapToLocal(string localRoot, string relative, out string? reason)
    {
        string root = TrimSeparator(localRoot);
        string candidate;
        try
        {
            candidate = Path.GetFullPath(Path.Combine(root, relative.Replace('/', Path.DirectorySeparatorChar)));
        }
        catch (Exception e) when (e is ArgumentException || e is NotSupportedException || e is PathTooLongException)
        {
            reason = $"its name is not a valid local path ({e.Message})";
            return null;
        }
        if (!IsBelow(candidate, root))
        {
            reason = $"it would be written outside '{root}'";
            return null;
        }
        reason = null;
        return candidate;
    }

    /// <summary>The whole rule in one call: sandbox entry path to local path, or null with the reason.</summary>
    public static string? MapEntry(string entryPath, IReadOnlyList<string> remoteRoots, string localRoot, out string? relative, out string? reason)
    {
        relative = GetRelativeName(entryPath, remoteRoots, out _, out reason);
        return relative is null ? null : MapToLocal(localRoot, relative, out reason);
    }

    /// <summary>True when <paramref name="path"/> lies strictly below <paramref name="root"/> (both full paths).</summary>
    public static bool IsBelow(string path, string root)
    {
        string prefix = TrimSeparator(root);
        if (prefix.Length == 0 || prefix[prefix.Length - 1] != Path.DirectorySeparatorChar)
        {
            prefix += Path.DirectorySeparatorChar;
        }
        return path.Length > prefix.Length && path.StartsWith(prefix, LocalComparison);
    }

    internal static string TrimSeparator(string path)
    {
        string root = Path.GetPathRoot(path) ?? string.Empty;
        string trimmed = path.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        return trimmed.Length < root.Length ? root : trimmed;
    }

    static bool IsAsciiLetter(char c) => (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');

    static bool IsUnsafeOnWindows(string segment)
    {
        char last = segment[segment.Length - 1];
        if (last == '.' || last == ' ')
        {
            return true; // Windows drops trailing dots and spaces: ".. " would become ".."
        }
        int dot = segment.IndexOf('.');
        string stem = (dot < 0 ? segment : segment.Substring(0, dot)).TrimEnd(' ');
        foreach (string device in WindowsDeviceNames)
        {
            if (string.Equals(stem, device, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Splits a checked relative name into its segments.</summary>
    internal static string[] Segments(string relative) => relative.Split(SandboxPath.Separator);
}

using System;
using System.IO;

namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>Questions about local paths that copies out of a sandbox ask of each other.</summary>
public static class LocalPath
{
    /// <summary>
    /// Whether one local path is the other or lies inside it, compared as the local file system
    /// compares names (ignoring case on Windows and macOS): two downloads that overlap must not
    /// run at the same time, or which one wins would depend on timing.
    /// </summary>
    public static bool Overlap(string first, string second)
    {
        string a = TreePathMapper.TrimSeparator(Path.GetFullPath(first));
        string b = TreePathMapper.TrimSeparator(Path.GetFullPath(second));
        return string.Equals(a, b, TreePathMapper.LocalComparison) || TreePathMapper.IsBelow(a, b) || TreePathMapper.IsBelow(b, a);
    }
}

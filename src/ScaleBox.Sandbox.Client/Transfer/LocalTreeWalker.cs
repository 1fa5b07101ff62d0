using System;
using System.Collections.Generic;
using System.IO;
using ScaleBox.Sandbox.Client.Files;

namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>One item met while walking a local directory for an upload.</summary>
internal sealed class LocalTreeEntry
{
    public string FullPath { get; init; } = string.Empty;

    /// <summary>Relative to the walked directory, '/'-separated.</summary>
    public string RelativePath { get; init; } = string.Empty;

    public SandboxItemType Kind { get; init; }

    public long Length { get; init; }

    /// <summary>Set when the item is not to be uploaded.</summary>
    public SandboxTransferReason SkipCode { get; init; }

    public string? SkipReason { get; init; }

    /// <summary>Set when the directory could not be read.</summary>
    public Exception? Error { get; init; }
}

/// <summary>
/// Walks a local directory in a stable order (directories before their contents, names in
/// ordinal order) without following symbolic links or junctions out of it: a link to a
/// directory is never entered; a link to a file is uploaded as that file only when its final
/// target lies inside the walked directory (on .NET Framework, which cannot resolve links,
/// every link is skipped).
/// </summary>
internal static class LocalTreeWalker
{
    /// <param name="exclude">Names to leave out (<see cref="SandboxTreeCopyOptions.Exclude"/>): such an item is not listed, nor entered.</param>
    public static List<LocalTreeEntry> Walk(string root, Func<string, bool>? exclude = null)
    {
        var entries = new List<LocalTreeEntry>();
        Visit(new DirectoryInfo(root), string.Empty, root, exclude, entries);
        return entries;
    }

    static void Visit(DirectoryInfo directory, string relativeDirectory, string root, Func<string, bool>? exclude, List<LocalTreeEntry> into)
    {
        FileSystemInfo[] children;
        try
        {
            children = directory.GetFileSystemInfos();
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is System.Security.SecurityException)
        {
            into.Add(new LocalTreeEntry
            {
                FullPath = directory.FullName,
                RelativePath = relativeDirectory,
                Kind = SandboxItemType.Directory,
                SkipCode = SandboxTransferReason.Error,
                SkipReason = $"its contents cannot be read: {e.Message}",
                Error = e,
            });
            return;
        }
        Array.Sort(children, (a, b) => string.CompareOrdinal(a.Name, b.Name));

        foreach (FileSystemInfo child in children)
        {
            if (exclude is not null && exclude(child.Name))
            {
                continue;
            }
            string relative = relativeDirectory.Length == 0 ? child.Name : relativeDirectory + "/" + child.Name;
            bool isDirectory = child is DirectoryInfo;
            bool isLink = (child.Attributes & FileAttributes.ReparsePoint) != 0;
            if (isLink)
            {
                into.Add(LinkEntry(child, relative, isDirectory, root));
                continue;
            }
            if (isDirectory)
            {
                into.Add(new LocalTreeEntry { FullPath = child.FullName, RelativePath = relative, Kind = SandboxItemType.Directory });
                Visit((DirectoryInfo)child, relative, root, exclude, into);
            }
            else
            {
                into.Add(new LocalTreeEntry
                {
                    FullPath = child.FullName,
                    RelativePath = relative,
                    Kind = SandboxItemType.File,
                    Length = ((FileInfo)child).Length,
                });
            }
        }
    }

    static LocalTreeEntry LinkEntry(FileSystemInfo link, string relative, bool isDirectory, string root)
    {
        if (isDirectory)
        {
            return Skipped(link, relative, SandboxItemType.Directory,
                "it is a symbolic link or junction to a directory, which is not followed");
        }
#if NET6_0_OR_GREATER
        FileSystemInfo? target = null;
        try
        {
            target = link.ResolveLinkTarget(returnFinalTarget: true);
        }
        catch (IOException)
        {
        }
        if (target is FileInfo { Exists: true } file && TreePathMapper.IsBelow(file.FullName, root))
        {
            return new LocalTreeEntry { FullPath = link.FullName, RelativePath = relative, Kind = SandboxItemType.File, Length = file.Length };
        }
        return Skipped(link, relative, SandboxItemType.File,
            target is null || !target.Exists
                ? "it is a symbolic link whose target does not exist"
                : $"it is a symbolic link to '{target.FullName}', outside the uploaded directory");
#else
        _ = root;
        return Skipped(link, relative, SandboxItemType.File, "it is a symbolic link, which is not followed");
#endif
    }

    static LocalTreeEntry Skipped(FileSystemInfo link, string relative, SandboxItemType kind, string reason) => new LocalTreeEntry
    {
        FullPath = link.FullName,
        RelativePath = relative,
        Kind = kind,
        SkipCode = SandboxTransferReason.SymbolicLink,
        SkipReason = reason,
    };
}

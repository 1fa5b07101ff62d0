using System.Collections.Generic;
using ScaleBox.Sandbox.Client.Files;

namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>
/// Which symbolic links of a sandbox tree a download follows. A link to a directory is never
/// followed (nor is anything listed below it). A link to a file is copied as the file it points
/// to only when its target, resolved lexically from the link's directory (or from "/" when
/// absolute), ends strictly inside the copied tree, and the walk there never leaves the tree
/// once inside it (a relative target may not leave it at all) and never passes through another
/// link of the tree (whose real destination the listing does not show). Anything else is skipped.
/// </summary>
internal static class RemoteLinkRule
{
    /// <param name="root">The copied directory, cleaned (the root the entry matched).</param>
    /// <param name="linkRelative">The link's checked name relative to <paramref name="root"/>.</param>
    /// <param name="target">The link's target as the sandbox reports it.</param>
    /// <param name="linksInTree">Names (relative to <paramref name="root"/>) of every link in the listing.</param>
    /// <returns>Null when the link may be copied, else why not.</returns>
    public static string? CheckFileLink(string root, string linkRelative, string target, ISet<string> linksInTree)
    {
        if (target.Length == 0)
        {
            return "it is a symbolic link with an empty target";
        }
        List<string> rootSegments = Split(root);
        bool absolute = target[0] == SandboxPath.Separator;
        var current = absolute ? new List<string>() : new List<string>(rootSegments);
        if (!absolute)
        {
            string[] own = TreePathMapper.Segments(linkRelative);
            for (int i = 0; i < own.Length - 1; i++)
            {
                current.Add(own[i]);
            }
        }

        bool entered = !absolute;
        foreach (string segment in target.Split(SandboxPath.Separator))
        {
            if (segment.Length == 0 || segment == ".")
            {
                continue;
            }
            if (segment == "..")
            {
                if (current.Count > 0)
                {
                    current.RemoveAt(current.Count - 1);
                }
            }
            else
            {
                current.Add(segment);
            }

            bool within = current.Count >= rootSegments.Count && StartsWith(current, rootSegments);
            if (entered && !within)
            {
                return $"it is a symbolic link to '{target}', which leads out of the copied directory";
            }
            if (within)
            {
                entered = true;
            }
            if (within && current.Count > rootSegments.Count)
            {
                string relative = string.Join("/", current.GetRange(rootSegments.Count, current.Count - rootSegments.Count));
                if (linksInTree.Contains(relative))
                {
                    return $"it is a symbolic link to '{target}', which passes through another symbolic link";
                }
            }
        }
        if (!entered || current.Count <= rootSegments.Count)
        {
            return $"it is a symbolic link to '{target}', outside the copied directory";
        }
        return null;
    }

    static List<string> Split(string path)
    {
        var segments = new List<string>();
        foreach (string segment in path.Split(SandboxPath.Separator))
        {
            if (segment.Length > 0)
            {
                segments.Add(segment);
            }
        }
        return segments;
    }

    static bool StartsWith(List<string> path, List<string> prefix)
    {
        for (int i = 0; i < prefix.Count; i++)
        {
            if (path[i] != prefix[i])
            {
                return false;
            }
        }
        return true;
    }
}

using System;
using System.Collections.Generic;
using System.Linq;

namespace ScaleBox.Sandbox.Client.Files;

/// <summary>
/// Puts a listing in the order Get-ChildItem gives: a directory's own entries together
/// (directories first, then files, each by name without regard to case), then each of its
/// subdirectories in turn. The agent walks depth first, which interleaves directories: shown as
/// is, a table grouped by directory would repeat a header each time the walk comes back.
/// </summary>
public static class ListingOrder
{
    public static IReadOnlyList<SandboxItem> AsGetChildItem(IReadOnlyList<SandboxItem> listing)
    {
        if (listing == null) throw new ArgumentNullException(nameof(listing));
        if (listing.Count < 2) return listing;

        var byParent = new Dictionary<string, List<SandboxItem>>(StringComparer.Ordinal);
        var parentsInOrder = new List<string>();
        foreach (SandboxItem item in listing)
        {
            string parent = item.DirectoryName;
            if (!byParent.TryGetValue(parent, out List<SandboxItem>? siblings))
            {
                byParent[parent] = siblings = new List<SandboxItem>();
                parentsInOrder.Add(parent);
            }
            siblings.Add(item);
        }

        var ordered = new List<SandboxItem>(listing.Count);
        var emitted = new HashSet<string>(StringComparer.Ordinal);
        // The roots are the parents that are not themselves in the listing: the listed directory
        // (or several, for a wildcard), in the order the agent first named them.
        var listed = new HashSet<string>(listing.Select(i => i.Path), StringComparer.Ordinal);
        foreach (string root in parentsInOrder.Where(p => !listed.Contains(p)))
        {
            Emit(root, byParent, ordered, emitted);
        }
        // Anything a hostile or odd listing left unreachable still comes out, after the rest.
        foreach (string parent in parentsInOrder)
        {
            Emit(parent, byParent, ordered, emitted);
        }
        return ordered;
    }

    static void Emit(string directory, Dictionary<string, List<SandboxItem>> byParent, List<SandboxItem> ordered, HashSet<string> emitted)
    {
        var pending = new Stack<string>();
        pending.Push(directory);
        while (pending.Count > 0)
        {
            string current = pending.Pop();
            if (!emitted.Add(current) || !byParent.TryGetValue(current, out List<SandboxItem>? children))
            {
                continue;
            }
            List<SandboxItem> sorted = children
                .OrderBy(c => c.IsDirectory ? 0 : 1)
                .ThenBy(c => c.Name, StringComparer.OrdinalIgnoreCase)
                .ThenBy(c => c.Name, StringComparer.Ordinal)
                .ToList();
            ordered.AddRange(sorted);
            // A stack, so push the subdirectories last to first to visit them first to last.
            for (int i = sorted.Count - 1; i >= 0; i--)
            {
                if (sorted[i].IsDirectory)
                {
                    pending.Push(sorted[i].Path);
                }
            }
        }
    }
}

namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>
/// Whether an item of a tree is left out by <see cref="SandboxTreeCopyOptions.Exclude"/>: its own
/// name or the name of a directory above it (inside the tree) is excluded.
/// </summary>
internal static class TreeExclusion
{
    /// <param name="relativePath">The item's path inside the tree, '/'-separated.</param>
    public static bool IsExcluded(System.Func<string, bool>? exclude, string relativePath)
    {
        if (exclude is null)
        {
            return false;
        }
        foreach (string name in relativePath.Split('/'))
        {
            if (name.Length > 0 && exclude(name))
            {
                return true;
            }
        }
        return false;
    }
}

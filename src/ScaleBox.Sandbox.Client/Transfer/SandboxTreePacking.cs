namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>
/// Whether a directory copy packs the tree into one tar stream (one upload or download and one
/// <c>tar</c> run in the sandbox) instead of one request per file. Packing copies only into a
/// destination that does not exist yet: the tree is unpacked into a hidden staging directory
/// beside it and renamed onto it once complete, so nothing appears under the final name before
/// the whole tree is there. It needs <c>tar</c> in the sandbox and the client's .NET 8 build
/// (Windows PowerShell 5.1 always copies file by file).
/// </summary>
public enum SandboxTreePacking
{
    /// <summary>
    /// Pack when the destination is new, the tree has at least
    /// <see cref="SandboxTreeCopyOptions.PackingThreshold"/> files, the sandbox has <c>tar</c>, no
    /// per-file SHA-256 is asked for and (downloads) the sandbox's listing shows no link and no
    /// name the per-file copy would skip; otherwise copy file by file. Both ways then give the same tree.
    /// </summary>
    Auto = 0,

    /// <summary>
    /// Always pack; a copy that cannot be packed (existing destination, no <c>tar</c>, .NET
    /// Framework) fails before anything is written. A packed download takes the archive's regular
    /// files and directories only: every link in it is Skipped, even one the per-file copy would
    /// follow to a file inside the tree.
    /// </summary>
    Always = 1,

    /// <summary>Always copy file by file.</summary>
    Never = 2,
}

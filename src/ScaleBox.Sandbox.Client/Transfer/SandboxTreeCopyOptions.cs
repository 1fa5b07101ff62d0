namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>How a directory copy treats existing files, and how it transfers each file.</summary>
public sealed class SandboxTreeCopyOptions
{
    /// <summary>
    /// Replace files that already exist at the destination. Without it each such file is a
    /// Failed outcome with <see cref="SandboxTransferReason.AlreadyExists"/>; directories are always merged.
    /// </summary>
    public bool Overwrite { get; set; }

    /// <summary>
    /// Names to leave out, asked of every file and directory of the tree by its name alone (not its
    /// path): true leaves the item out, and a directory left out is left out with everything in it.
    /// Nothing is reported for what is left out. Null copies everything.
    /// A download that leaves something out is copied file by file: the sandbox's tar would pack the
    /// whole directory, so <see cref="SandboxTreePacking.Always"/> is refused then.
    /// </summary>
    public System.Func<string, bool>? Exclude { get; set; }

    /// <summary>Resume and hashing settings for each downloaded file; null uses the defaults.</summary>
    public SandboxDownloadOptions? Download { get; set; }

    /// <summary>Hashing settings for each uploaded file; null uses the defaults.</summary>
    public SandboxUploadOptions? Upload { get; set; }

    int _maxParallelFiles = BoundedParallel.DefaultLimit;

    /// <summary>
    /// How many files are transferred at once (default 8, at most 64). Each small file costs
    /// whole round trips rather than bandwidth, so a tree of small files goes several times
    /// faster with several in flight; 1 copies one file at a time. Outcomes come in the order
    /// the files finish.
    /// </summary>
    /// <exception cref="System.ArgumentOutOfRangeException">Less than 1 or more than 64.</exception>
    public int MaxParallelFiles
    {
        get => _maxParallelFiles;
        set => _maxParallelFiles = value >= 1 && value <= BoundedParallel.MaxLimit
            ? value
            : throw new System.ArgumentOutOfRangeException(nameof(value), value, $"Between 1 and {BoundedParallel.MaxLimit} files can be in flight at once.");
    }

    /// <summary>
    /// For a copy into a sandbox, fill <see cref="SandboxTransferOutcome.Item"/> of the items it
    /// copies where the agent's answers do not: a tree sent packed is then listed once it is in
    /// place (one request for the whole tree, where asking per item would cost one each).
    /// </summary>
    public bool IncludeItems { get; set; }

    /// <summary>
    /// For a copy into a sandbox: the caller has just found that the destination directory does not
    /// exist (its own lookup, made to decide where the tree goes), so the copy makes it without
    /// looking again, a round trip less. Should it appear in between after all, it is merged into
    /// as a destination made by someone else during the copy is: unlisted, so files there may be
    /// replaced even without <see cref="Overwrite"/>. Leave it false unless the lookup was just made.
    /// </summary>
    public bool DestinationMissing { get; set; }

    /// <summary>
    /// Whether the tree travels as one tar stream instead of one request per file (default
    /// <see cref="SandboxTreePacking.Auto"/>); see <see cref="SandboxTreePacking"/>.
    /// </summary>
    public SandboxTreePacking Packing { get; set; }

    /// <summary>
    /// With <see cref="SandboxTreePacking.Auto"/>, the fewest files a tree must have to be packed.
    /// Below it the per-file copy, with several files in flight, costs about as much as the
    /// extra requests packing makes (a check for <c>tar</c>, the unpacking, the rename).
    /// </summary>
    public const int PackingThreshold = 32;
}

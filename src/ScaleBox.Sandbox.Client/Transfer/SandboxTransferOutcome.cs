using System;
using ScaleBox.Sandbox.Client.Files;

namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>
/// How one item of a directory copy ended. A copy yields one of these per file and directory it
/// met, as it goes, so a caller can stream them on and report failures one by one.
/// </summary>
public sealed class SandboxTransferOutcome
{
    /// <summary>Where the item was read: a sandbox path for a download, a local path for an upload.</summary>
    public string Source { get; init; } = string.Empty;

    /// <summary>
    /// Where it was (or would have been) written. For an item refused as unsafe this is the
    /// name the sandbox gave, since no safe local path exists for it.
    /// </summary>
    public string Destination { get; init; } = string.Empty;

    /// <summary>The item's path relative to the copied directory, with '/' separators.</summary>
    public string RelativePath { get; init; } = string.Empty;

    public SandboxItemType Kind { get; init; }

    public SandboxTransferStatus Status { get; init; }

    /// <summary>Why it was skipped or failed, as a stable value.</summary>
    public SandboxTransferReason ReasonCode { get; init; }

    /// <summary>Why it was skipped or failed, in words; null when copied.</summary>
    public string? Reason { get; init; }

    /// <summary>The failure, for <see cref="SandboxTransferStatus.Failed"/>: usually a SandboxException, or an IOException for the local side.</summary>
    public Exception? Exception { get; init; }

    /// <summary>Bytes copied for a file; 0 for a directory or an item not copied.</summary>
    public long Bytes { get; init; }

    /// <summary>SHA-256 of the copied bytes (lowercase hex), when computed.</summary>
    public string? Sha256 { get; init; }

    /// <summary>
    /// For a file copied into a sandbox, the file as the agent reported it once in place, when
    /// it reported it whole; for the items of a tree sent packed, as listed once it is in place,
    /// when <see cref="SandboxTreeCopyOptions.IncludeItems"/> asked for that; null otherwise (and
    /// for downloads).
    /// </summary>
    public Files.SandboxItem? Item { get; internal set; }

    /// <summary>Times the file's download resumed after a dropped connection.</summary>
    public int ResumeCount { get; init; }

    public override string ToString() =>
        Reason is null ? $"{Status} {Source} -> {Destination}" : $"{Status} {Source}: {Reason}";
}

using System;

namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>What one download received.</summary>
public sealed class SandboxDownloadResult
{
    /// <summary>The sandbox path that was read.</summary>
    public string RemotePath { get; init; } = string.Empty;

    /// <summary>The local file written, for the file-level calls; null when streaming to a caller's stream.</summary>
    public string? LocalPath { get; init; }

    /// <summary>Bytes written to the destination, resumed parts included.</summary>
    public long Length { get; init; }

    /// <summary>The entity tag of the first response, as sent (quotes included); null when the agent sent none.</summary>
    public string? ETag { get; init; }

    /// <summary>The Last-Modified of the first response, if any.</summary>
    public DateTimeOffset? LastModified { get; init; }

    /// <summary>SHA-256 of every byte written, lowercase hex; null when hashing was turned off.</summary>
    public string? Sha256 { get; init; }

    /// <summary>How many times the download picked up again after the connection dropped.</summary>
    public int ResumeCount { get; init; }

    public override string ToString() => LocalPath ?? RemotePath;
}

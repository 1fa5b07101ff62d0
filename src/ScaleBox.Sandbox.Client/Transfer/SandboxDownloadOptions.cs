using System;

namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>How a download resumes and verifies.</summary>
public sealed class SandboxDownloadOptions
{
    /// <summary>The resume budget when none is given.</summary>
    public const int DefaultMaxResumeAttempts = 5;

    /// <summary>
    /// How many times a download that lost its connection mid-body asks for the rest with
    /// <c>Range: bytes=N-</c> (guarded by <c>If-Range</c>). 0 turns resuming off.
    /// </summary>
    public int MaxResumeAttempts { get; set; } = DefaultMaxResumeAttempts;

    /// <summary>The wait before the first resume; it doubles with each further one, up to 5 seconds.</summary>
    public TimeSpan ResumeDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// How long the connection may stay silent (no response headers, no body bytes) before it
    /// counts as dropped; null uses the session's timeout. <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> waits forever.
    /// </summary>
    public TimeSpan? IdleTimeout { get; set; }

    /// <summary>
    /// Compute the SHA-256 of the bytes as they stream (reported in the result). Off by default:
    /// hashing costs CPU that a fast link would notice.
    /// </summary>
    public bool ComputeSha256 { get; set; }

    /// <summary>
    /// The SHA-256 the content must have, as 64 hex digits. When set, the hash is computed
    /// whatever <see cref="ComputeSha256"/> says and a mismatch fails with DataLoss.
    /// </summary>
    public string? ExpectedSha256 { get; set; }

    internal SandboxDownloadOptions Clone() => (SandboxDownloadOptions)MemberwiseClone();
}

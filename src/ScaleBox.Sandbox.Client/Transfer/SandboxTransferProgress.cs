using System;

namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>
/// A snapshot of a directory copy's progress. Reported at most every 100 ms (and once at the
/// end), on a thread-pool thread: a caller that must report on another thread marshals it.
/// </summary>
public sealed class SandboxTransferProgress
{
    public SandboxTransferProgress(string currentPath, long bytesTransferred, long totalBytes,
        int filesCompleted, int totalFiles, TimeSpan elapsed)
    {
        CurrentPath = currentPath ?? string.Empty;
        BytesTransferred = bytesTransferred;
        TotalBytes = totalBytes;
        FilesCompleted = filesCompleted;
        TotalFiles = totalFiles;
        Elapsed = elapsed;
    }

    /// <summary>The source path of the file being copied (or last copied).</summary>
    public string CurrentPath { get; }

    /// <summary>Bytes copied so far over all files, the current one's partial bytes included.</summary>
    public long BytesTransferred { get; }

    /// <summary>Bytes of all files to copy, known up front from the listing or the local walk.</summary>
    public long TotalBytes { get; }

    /// <summary>Files finished so far, whether copied, skipped or failed.</summary>
    public int FilesCompleted { get; }

    public int TotalFiles { get; }

    /// <summary>Time since the copy started.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>Average throughput since the start; 0 before any time has passed.</summary>
    public double BytesPerSecond =>
        Elapsed.TotalSeconds > 0 ? BytesTransferred / Elapsed.TotalSeconds : 0;

    /// <summary>Remaining bytes at the average throughput; null while nothing has moved yet.</summary>
    public TimeSpan? EstimatedRemaining
    {
        get
        {
            double rate = BytesPerSecond;
            if (rate <= 0)
            {
                return null;
            }
            long left = Math.Max(0, TotalBytes - BytesTransferred);
            return TimeSpan.FromSeconds(Math.Min(left / rate, TimeSpan.MaxValue.TotalSeconds / 2));
        }
    }

    /// <summary>0 to 100, by bytes (by files when there are no bytes to copy).</summary>
    public int PercentComplete =>
        TotalBytes > 0 ? (int)Math.Min(100, BytesTransferred * 100 / TotalBytes)
        : TotalFiles > 0 ? FilesCompleted * 100 / TotalFiles
        : 100;

    public override string ToString() =>
        $"{BytesTransferred}/{TotalBytes} bytes, {FilesCompleted}/{TotalFiles} files, {CurrentPath}";
}

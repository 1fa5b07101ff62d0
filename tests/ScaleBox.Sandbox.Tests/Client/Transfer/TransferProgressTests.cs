using ScaleBox.Sandbox.Client.Transfer;

namespace ScaleBox.Sandbox.Tests.Client.Transfer;

public sealed class TransferProgressTests
{
    [Fact]
    public void Computes_rate_percentage_and_remaining_time()
    {
        var progress = new SandboxTransferProgress("/a", bytesTransferred: 250, totalBytes: 1000, filesCompleted: 1, totalFiles: 4, elapsed: TimeSpan.FromSeconds(5));

        Assert.Equal(50, progress.BytesPerSecond);
        Assert.Equal(25, progress.PercentComplete);
        Assert.Equal(TimeSpan.FromSeconds(15), progress.EstimatedRemaining);
    }

    [Fact]
    public void Nothing_moved_yet_has_no_estimate()
    {
        var progress = new SandboxTransferProgress("", 0, 1000, 0, 1, TimeSpan.Zero);

        Assert.Equal(0, progress.BytesPerSecond);
        Assert.Null(progress.EstimatedRemaining);
        Assert.Equal(0, progress.PercentComplete);
    }

    [Fact]
    public void An_empty_copy_is_complete()
    {
        Assert.Equal(100, new SandboxTransferProgress("", 0, 0, 0, 0, TimeSpan.FromSeconds(1)).PercentComplete);
        Assert.Equal(50, new SandboxTransferProgress("", 0, 0, 1, 2, TimeSpan.FromSeconds(1)).PercentComplete);
    }

    [Fact]
    public void The_throttle_reports_the_first_value_at_once_then_at_most_every_100_ms_and_always_the_last()
    {
        var seen = new List<long>();
        var throttle = new ProgressThrottle(new SynchronousProgress<long>(seen.Add));

        for (long i = 1; i <= 100_000; i++)
        {
            throttle.Report(i);
        }
        throttle.Complete(100_000);

        Assert.Equal(1, seen[0]);
        Assert.Equal(100_000, seen[^1]);
        Assert.True(seen.Count < 50, $"{seen.Count} reports for a loop that takes milliseconds");
        Assert.Equal(seen.Order(), seen);
    }

    sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}

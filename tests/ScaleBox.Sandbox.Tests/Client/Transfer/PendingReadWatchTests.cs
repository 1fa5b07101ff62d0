using ScaleBox.Sandbox.Client.Transfer;

namespace ScaleBox.Sandbox.Tests.Client.Transfer;

/// <summary>Only a read left pending longer than the allowance ends; the reader's time between reads never counts.</summary>
public sealed class PendingReadWatchTests
{
    static readonly TimeSpan Short = TimeSpan.FromMilliseconds(100);
    // A bound that proves "fires", not a speed.
    static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_read_pending_longer_than_the_allowance_is_ended()
    {
        using var watch = new PendingReadWatch(Short);

        CancellationToken waiting = watch.Begin(CancellationToken.None);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Task.Delay(Timeout.Infinite, waiting).WaitAsync(Bound));

        Assert.True(watch.Fired);
    }

    [Fact]
    public async Task The_time_between_reads_is_not_counted()
    {
        using var watch = new PendingReadWatch(Short);

        watch.Begin(CancellationToken.None);
        watch.End();
        await Task.Delay(Short * 10);
        CancellationToken waiting = watch.Begin(CancellationToken.None);

        Assert.False(waiting.IsCancellationRequested);
        Assert.False(watch.Fired);
        watch.End();
    }

    [Fact]
    public async Task The_callers_token_still_ends_a_read_and_is_not_taken_for_a_stall()
    {
        using var watch = new PendingReadWatch(TimeSpan.FromMinutes(5));
        using var caller = new CancellationTokenSource();

        CancellationToken waiting = watch.Begin(caller.Token);
        caller.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Task.Delay(Timeout.Infinite, waiting).WaitAsync(Bound));

        Assert.False(watch.Fired);
    }

    [Fact]
    public void Without_a_limit_a_read_waits_with_the_callers_token_alone()
    {
        using var watch = new PendingReadWatch(Timeout.InfiniteTimeSpan);
        using var caller = new CancellationTokenSource();

        Assert.Equal(caller.Token, watch.Begin(caller.Token));
        Assert.False(watch.Begin(CancellationToken.None).CanBeCanceled);
    }
}

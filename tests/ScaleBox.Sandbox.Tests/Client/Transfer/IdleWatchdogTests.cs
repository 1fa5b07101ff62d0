using ScaleBox.Sandbox.Client.Transfer;

namespace ScaleBox.Sandbox.Tests.Client.Transfer;

/// <summary>The allowance of silence can change once a stream's first answer came (see WatchStream).</summary>
public sealed class IdleWatchdogTests
{
    /// <summary>Fires within <paramref name="bound"/>, or fails the test (a bound that proves "fires", not a speed).</summary>
    static async Task AssertFiresWithin(IdleWatchdog watchdog, TimeSpan bound)
    {
        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using CancellationTokenRegistration registration = watchdog.Token.Register(() => fired.TrySetResult());
        await fired.Task.WaitAsync(bound);
        Assert.True(watchdog.Fired);
    }

    [Fact]
    public async Task A_longer_allowance_given_before_the_first_one_ran_out_keeps_it_from_firing()
    {
        using var watchdog = new IdleWatchdog(CancellationToken.None, TimeSpan.FromMilliseconds(300));
        watchdog.Allow(TimeSpan.FromMinutes(5));

        await Task.Delay(TimeSpan.FromSeconds(1));

        Assert.False(watchdog.Token.IsCancellationRequested);
    }

    [Fact]
    public async Task A_shorter_allowance_fires_after_it_counted_from_when_it_was_given()
    {
        using var watchdog = new IdleWatchdog(CancellationToken.None, TimeSpan.FromMinutes(5));
        watchdog.Allow(TimeSpan.FromMilliseconds(200));

        await AssertFiresWithin(watchdog, TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_streams_answer_is_due_within_its_own_limit_and_later_messages_within_the_streams_allowance()
    {
        using var watchdog = IdleWatchdog.ForStream(CancellationToken.None, TimeSpan.FromMinutes(5), TimeSpan.FromMilliseconds(200));
        Assert.True(watchdog.AwaitsAnswer);
        await Task.Delay(TimeSpan.FromSeconds(1)); // past the later allowance, within the answer's
        Assert.False(watchdog.Token.IsCancellationRequested);

        watchdog.Answered();

        Assert.False(watchdog.AwaitsAnswer);
        await AssertFiresWithin(watchdog, TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void A_stream_whose_answer_limit_does_not_limit_awaits_no_answer_of_its_own()
    {
        using var watchdog = IdleWatchdog.ForStream(CancellationToken.None, Timeout.InfiniteTimeSpan, TimeSpan.FromSeconds(7));

        Assert.False(watchdog.AwaitsAnswer);
        Assert.Equal(TimeSpan.FromSeconds(7), watchdog.Idle);
        watchdog.Answered();
        Assert.Equal(TimeSpan.FromSeconds(7), watchdog.Idle);
    }

    [Fact]
    public async Task No_allowance_never_fires_and_a_caller_cancel_is_not_the_watchdogs()
    {
        using var caller = new CancellationTokenSource();
        using var watchdog = new IdleWatchdog(caller.Token, TimeSpan.FromMilliseconds(300));
        watchdog.Allow(Timeout.InfiniteTimeSpan);

        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.False(watchdog.Token.IsCancellationRequested);

        caller.Cancel();
        Assert.True(watchdog.Token.IsCancellationRequested);
        Assert.False(watchdog.Fired);
    }
}

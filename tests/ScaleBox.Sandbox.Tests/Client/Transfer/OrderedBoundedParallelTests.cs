using ScaleBox.Sandbox.Client.Transfer;

namespace ScaleBox.Sandbox.Tests.Client.Transfer;

/// <summary>
/// The window behind Get-SbxItem -ThrottleLimit: results in the order the items came, never more
/// than the limit in flight, a failure at its own position, and nothing left running after a stop.
/// </summary>
public sealed class OrderedBoundedParallelTests
{
    static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    /// <summary>Drives the window the way the cmdlet does: add, take the oldest when full, write what is done, drain at the end.</summary>
    static async Task<List<T>> RunInOrderAsync<T>(OrderedBoundedParallel<T> window, IEnumerable<Func<CancellationToken, Task<T>>> steps)
    {
        var results = new List<T>();
        foreach (var step in steps)
        {
            window.Add(step);
            if (window.IsFull)
            {
                results.Add(await window.TakeOldest().WaitAsync(Bound));
            }
            while (window.TryTakeCompleted(out Task<T>? done))
            {
                results.Add(await done!);
            }
        }
        while (window.Count > 0)
        {
            results.Add(await window.TakeOldest().WaitAsync(Bound));
        }
        return results;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(16)]
    [InlineData(64)]
    public async Task Results_come_in_the_order_of_the_items_with_no_more_than_the_limit_in_flight(int limit)
    {
        int inFlight = 0, most = 0;
        int[] items = Enumerable.Range(0, 200).ToArray();
        using var window = new OrderedBoundedParallel<int>(limit);

        // Later items finish first (the delays shrink within each group of 7), so order must be restored.
        List<int> results = await RunInOrderAsync(window, items.Select(item => (Func<CancellationToken, Task<int>>)(async token =>
        {
            int now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref most, now);
            try
            {
                await Task.Delay(7 - item % 7, token);
                return item * 10;
            }
            finally
            {
                Interlocked.Decrement(ref inFlight);
            }
        })));

        Assert.Equal(items.Select(i => i * 10), results);
        Assert.InRange(most, 1, limit);
        if (limit > 1)
        {
            Assert.True(most > 1, "the steps were never in flight together");
        }
    }

    [Fact]
    public void Adding_to_a_full_window_is_refused()
    {
        using var window = new OrderedBoundedParallel<int>(2);
        var never = new TaskCompletionSource<int>();
        window.Add(_ => never.Task);
        window.Add(_ => never.Task);

        Assert.True(window.IsFull);
        Assert.Throws<InvalidOperationException>(() => window.Add(_ => Task.FromResult(3)));
        never.SetResult(0);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65)]
    public void A_limit_out_of_range_is_refused(int limit)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new OrderedBoundedParallel<int>(limit));
    }

    [Fact]
    public async Task A_finished_step_behind_an_unfinished_one_waits_its_turn()
    {
        using var window = new OrderedBoundedParallel<string>(4);
        var first = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        window.Add(_ => first.Task);
        window.Add(_ => Task.FromResult("second"));

        Assert.False(window.TryTakeCompleted(out _));
        first.SetResult("first");
        Assert.True(window.TryTakeCompleted(out Task<string>? one));
        Assert.Equal("first", await one!);
        Assert.True(window.TryTakeCompleted(out Task<string>? two));
        Assert.Equal("second", await two!);
        Assert.Equal(0, window.Count);
    }

    [Fact]
    public async Task A_failing_step_fails_at_its_own_position_and_the_others_still_come()
    {
        using var window = new OrderedBoundedParallel<int>(8);
        var failure = new InvalidOperationException("item 5 failed");
        for (int i = 0; i < 8; i++)
        {
            int item = i;
            window.Add(async token =>
            {
                await Task.Delay(8 - item, token);
                return item == 5 ? throw failure : item;
            });
        }
        // A step that throws before its first await is one more failure at its position, not the caller's.
        using var early = new OrderedBoundedParallel<int>(1);
        early.Add(_ => throw failure);

        var outcomes = new List<object>();
        while (window.Count > 0)
        {
            try
            {
                outcomes.Add(await window.TakeOldest().WaitAsync(Bound));
            }
            catch (InvalidOperationException e)
            {
                outcomes.Add(e);
            }
        }

        Assert.Equal(new object[] { 0, 1, 2, 3, 4, failure, 6, 7 }, outcomes);
        Assert.Same(failure, await Assert.ThrowsAsync<InvalidOperationException>(() => early.TakeOldest()));
    }

    [Fact]
    public async Task Disposing_early_cancels_the_steps_in_flight_and_waits_for_their_clean_up()
    {
        var steps = new CountedSteps();
        var window = new OrderedBoundedParallel<int>(8);
        for (int i = 0; i < 8; i++)
        {
            int item = i;
            window.Add(token => steps.RunAsync(item, token));
        }

        // The caller takes the first result and stops, as Select-Object -First 1 makes it.
        Assert.Equal(0, await window.TakeOldest().WaitAsync(Bound));
        await Task.Run(window.Dispose).WaitAsync(Bound);

        Assert.Equal(8, steps.Started);
        Assert.Equal(8, steps.Finished);
        Assert.Equal(7, steps.Cancelled);
        Assert.Throws<ObjectDisposedException>(() => window.Add(_ => Task.FromResult(1)));
    }

    [Fact]
    public async Task Disposing_disposes_the_finished_results_nobody_took_and_not_the_taken_ones()
    {
        var held = Enumerable.Range(0, 4).Select(_ => new DisposalCounter()).ToArray();
        var window = new OrderedBoundedParallel<DisposalCounter>(4);
        foreach (DisposalCounter result in held)
        {
            window.Add(_ => Task.FromResult(result));
        }
        DisposalCounter taken = await window.TakeOldest().WaitAsync(Bound);

        // An open download read ahead and never written must not stay open once the cmdlet stops.
        await Task.Run(window.Dispose).WaitAsync(Bound);

        Assert.Same(held[0], taken);
        Assert.Equal(new[] { 0, 1, 1, 1 }, held.Select(h => h.Disposals));
    }

    sealed class DisposalCounter : IDisposable
    {
        public int Disposals { get; private set; }

        public void Dispose() => Disposals++;
    }

    [Fact]
    public async Task Cancelling_the_token_cancels_every_step_in_flight()
    {
        using var cancel = new CancellationTokenSource();
        using var window = new OrderedBoundedParallel<int>(4, cancel.Token);
        for (int i = 0; i < 4; i++)
        {
            window.Add(async token =>
            {
                await Task.Delay(30_000, token);
                return 0;
            });
        }

        cancel.Cancel();

        for (int i = 0; i < 4; i++)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => window.TakeOldest().WaitAsync(Bound));
        }
        Assert.Equal(0, window.Count);
    }

    static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}

using ScaleBox.Sandbox.Client.Transfer;

namespace ScaleBox.Sandbox.Tests.Client.Transfer;

/// <summary>The runner behind parallel tree copies: its limit, its failures and its clean-up.</summary>
public sealed class BoundedParallelTests
{
    static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(8)]
    public async Task Runs_every_item_once_with_no_more_than_the_limit_in_flight(int limit)
    {
        int inFlight = 0, most = 0;
        int[] items = Enumerable.Range(0, 40).ToArray();

        var results = new List<int>();
        await foreach (int result in BoundedParallel.RunAsync(items, limit, async (item, token) =>
        {
            int now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref most, now);
            await Task.Delay(2 + item % 3, token);
            Interlocked.Decrement(ref inFlight);
            return item * 10;
        }))
        {
            results.Add(result);
        }

        Assert.Equal(items.Select(i => i * 10), results.Order());
        Assert.InRange(most, 1, limit);
        if (limit > 1)
        {
            Assert.True(most > 1, "the steps were never in flight together");
        }
    }

    [Fact]
    public async Task No_items_yields_nothing()
    {
        await foreach (int _ in BoundedParallel.RunAsync(Array.Empty<int>(), 4, (i, _) => Task.FromResult(i)))
        {
            Assert.Fail("nothing to yield");
        }
    }

    [Fact]
    public async Task A_failing_step_ends_the_run_with_its_exception_after_the_others_have_finished()
    {
        int finished = 0, started = 0;
        var failure = new InvalidOperationException("step 5 failed");
        int[] items = Enumerable.Range(0, 100).ToArray();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (int _ in BoundedParallel.RunAsync(items, 4, async (item, token) =>
            {
                Interlocked.Increment(ref started);
                try
                {
                    if (item == 5)
                    {
                        throw failure;
                    }
                    await Task.Delay(item < 5 ? 1 : 200, token);
                    return item;
                }
                finally
                {
                    await Task.Delay(20, CancellationToken.None); // a clean-up that must be waited for
                    Interlocked.Increment(ref finished);
                }
            }))
            {
            }
        });

        Assert.Same(failure, error);
        Assert.Equal(Volatile.Read(ref started), Volatile.Read(ref finished));
        Assert.True(started < items.Length, $"{started} steps started after the failure ended the run");
    }

    [Fact]
    public async Task Stopping_early_cancels_the_steps_in_flight_and_waits_for_their_clean_up()
    {
        var steps = new CountedSteps();
        int[] items = Enumerable.Range(0, 50).ToArray();

        await foreach (int result in BoundedParallel.RunAsync(items, 4, steps.RunAsync))
        {
            Assert.Equal(0, result);
            break;
        }

        Assert.Equal(steps.Started, steps.Finished);
        Assert.Equal(steps.Started - 1, steps.Cancelled); // every step but the one that returned
    }

    [Fact]
    public async Task Cancelling_ends_the_run_with_OperationCanceledException_after_the_steps_have_finished()
    {
        using var cancel = new CancellationTokenSource();
        var steps = new CountedSteps();
        int[] items = Enumerable.Range(0, 50).ToArray();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (int _ in BoundedParallel.RunAsync(items, 4, steps.RunAsync, cancel.Token).WithCancellation(cancel.Token))
            {
                cancel.Cancel();
            }
        }).WaitAsync(Bound);

        Assert.Equal(steps.Started, steps.Finished);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65)]
    public void The_tree_options_refuse_a_limit_out_of_range(int limit)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SandboxTreeCopyOptions { MaxParallelFiles = limit });
    }

    static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}

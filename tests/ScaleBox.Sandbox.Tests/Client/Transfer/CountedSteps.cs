namespace ScaleBox.Sandbox.Tests.Client.Transfer;

/// <summary>
/// Steps for the parallel runners that count how many started, were cancelled and finished, each
/// with a clean-up of 20 ms that the runner must wait for: item 0 returns at once, every other
/// item waits (30 s) until it is cancelled.
/// </summary>
sealed class CountedSteps
{
    int _started, _cancelled, _finished;

    public int Started => Volatile.Read(ref _started);
    public int Cancelled => Volatile.Read(ref _cancelled);
    public int Finished => Volatile.Read(ref _finished);

    public async Task<int> RunAsync(int item, CancellationToken token)
    {
        Interlocked.Increment(ref _started);
        try
        {
            await Task.Delay(item == 0 ? 0 : 30_000, token);
            return item;
        }
        catch (OperationCanceledException)
        {
            Interlocked.Increment(ref _cancelled);
            throw;
        }
        finally
        {
            await Task.Delay(20, CancellationToken.None); // a clean-up that must be waited for
            Interlocked.Increment(ref _finished);
        }
    }
}

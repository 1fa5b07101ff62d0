namespace ScaleBox.Sandbox.Tests.Infrastructure;

/// <summary>
/// Waits for something another party does in its own time (an agent removing a staging file, a
/// connection closing): the condition is polled until it holds or the time is up.
/// </summary>
public static class Eventually
{
    static readonly TimeSpan DefaultWithin = TimeSpan.FromSeconds(10);
    static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(25);

    /// <returns>Whether <paramref name="condition"/> held within <paramref name="within"/> (10 s by default).</returns>
    public static async Task<bool> TrueAsync(Func<bool> condition, TimeSpan? within = null)
    {
        DateTime deadline = DateTime.UtcNow + (within ?? DefaultWithin);
        while (!condition())
        {
            if (DateTime.UtcNow >= deadline)
            {
                return condition();
            }
            await Task.Delay(PollInterval);
        }
        return true;
    }
}

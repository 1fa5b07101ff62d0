using System;
using System.Threading;
using System.Threading.Tasks;

namespace ScaleBox.Sandbox.Infrastructure;

/// <summary>
/// Lookups asked for side by side, at most a given number at a time: their round trips overlap,
/// and a long list of paths does not open a connection per path.
/// </summary>
internal sealed class LookupWindow
{
    readonly SemaphoreSlim _slots;

    public LookupWindow(int limit) => _slots = new SemaphoreSlim(limit);

    /// <summary>Starts <paramref name="lookup"/> as soon as a slot is free, without waiting for it here.</summary>
    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> lookup, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await lookup(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }
    }
}

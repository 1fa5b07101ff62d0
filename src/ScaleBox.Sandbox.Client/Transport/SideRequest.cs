using System;
using System.Threading.Tasks;

namespace ScaleBox.Sandbox.Client.Transport;

/// <summary>
/// A request made alongside another to save a round trip, whose answer matters only when the other
/// one succeeds.
/// </summary>
public static class SideRequest
{
    /// <summary>
    /// Waits for <paramref name="request"/> to end, however it ends, once the request beside it has
    /// failed: that failure is the one to report, and no request outlives the call that made it.
    /// </summary>
    public static async Task WaitQuietlyAsync(Task? request)
    {
        if (request is null)
        {
            return;
        }
        try
        {
            await request.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Whatever it was (a refusal, a cancellation, a path the request itself would not take),
            // the request beside it decides what is reported.
        }
    }

    /// <summary>As <see cref="WaitQuietlyAsync"/>, for a request whose answer is not wanted after all: what it opened is let go.</summary>
    public static async Task DiscardAsync<T>(Task<T>? request) where T : class, IDisposable
    {
        await WaitQuietlyAsync(request).ConfigureAwait(false);
        if (request is { Status: TaskStatus.RanToCompletion })
        {
            request.Result?.Dispose();
        }
    }
}

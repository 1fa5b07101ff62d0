using ScaleBox.Sandbox.Client.Watch;

namespace ScaleBox.Sandbox.Tests.EndToEnd.Watch;

/// <summary>
/// Reads a live watch step by step: wait for the start, then for the change a test expects while
/// it changes files. Every wait is bounded (a missing event fails the test, never hangs it).
/// </summary>
sealed class WatchFollower : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    readonly CancellationTokenSource _stop = new(Patience * 4);
    readonly IAsyncEnumerator<SandboxWatchEvent> _events;
    Task<bool>? _pending;

    public WatchFollower(Func<CancellationToken, IAsyncEnumerable<SandboxWatchEvent>> open)
    {
        _events = open(_stop.Token).GetAsyncEnumerator();
    }

    public List<SandboxWatchEvent> Events { get; } = [];

    public async Task<SandboxWatchStarted> StartedAsync() => Assert.IsType<SandboxWatchStarted>(await NextAsync());

    /// <summary>Reads until an event matches; the ones before it stay in <see cref="Events"/>.</summary>
    public async Task<T> UntilAsync<T>(Func<T, bool> match) where T : SandboxWatchEvent
    {
        while (true)
        {
            if (await NextAsync() is T e && match(e))
            {
                return e;
            }
        }
    }

    public Task<SandboxFileChange> ChangeAsync(string name, SandboxChangeType type) =>
        UntilAsync<SandboxFileChange>(c => c.Name == name && c.ChangeType == type);

    public async Task<SandboxWatchEvent> NextAsync()
    {
        // A step still running from a wait that gave up is the one to wait for.
        Task<bool> next = _pending ??= _events.MoveNextAsync().AsTask();
        if (await Task.WhenAny(next, Task.Delay(Patience)) != next)
        {
            throw new Xunit.Sdk.XunitException($"No watch event within {Patience.TotalSeconds} s; so far: {string.Join(", ", Events)}");
        }
        _pending = null;
        if (!await next)
        {
            throw new Xunit.Sdk.XunitException("The watch ended.");
        }
        Events.Add(_events.Current);
        return _events.Current;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            // An async iterator cannot be disposed while a step runs: let the cancelled step end first.
            if (_pending is not null)
            {
                await _pending;
            }
        }
        catch (Exception)
        {
            // Cancelled, or the failure the test already reported.
        }
        await _events.DisposeAsync();
        _stop.Dispose();
    }
}

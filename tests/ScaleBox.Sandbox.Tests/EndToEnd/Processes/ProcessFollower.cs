using System.Text;
using ScaleBox.Sandbox.Client.Processes;

namespace ScaleBox.Sandbox.Tests.EndToEnd.Processes;

/// <summary>
/// Reads a live process stream step by step, for tests that talk to a process while it runs:
/// wait for the start, wait for some output, then for the exit. Every wait is bounded.
/// </summary>
sealed class ProcessFollower : IAsyncDisposable
{
    readonly CancellationTokenSource _stop;
    readonly IAsyncEnumerator<SandboxProcessEvent> _events;
    readonly StringBuilder _text = new();

    /// <param name="open">Opens the stream with the token that ends it (patience, or <see cref="Cancel"/>).</param>
    public ProcessFollower(Func<CancellationToken, IAsyncEnumerable<SandboxProcessEvent>> open)
    {
        _stop = new CancellationTokenSource(ProcessKit.Patience);
        _events = open(_stop.Token).GetAsyncEnumerator();
    }

    public List<SandboxProcessEvent> Events { get; } = [];

    /// <summary>All output text so far, every stream.</summary>
    public string Text => _text.ToString();

    public uint? Pid { get; private set; }

    public async Task<uint> StartedAsync()
    {
        SandboxProcessEvent first = await NextAsync() ?? throw new Xunit.Sdk.XunitException("The stream ended before the start event.");
        Pid = Assert.IsType<SandboxProcessStarted>(first).Pid;
        return Pid.Value;
    }

    /// <summary>Reads until the output text (all of it so far) contains <paramref name="expected"/>.</summary>
    public async Task<string> ReadUntilAsync(string expected)
    {
        while (!Text.Contains(expected, StringComparison.Ordinal))
        {
            SandboxProcessEvent? e = await NextAsync();
            if (e is null or SandboxProcessExit)
            {
                throw new Xunit.Sdk.XunitException($"The process ended before writing '{expected}'; its output was: '{Text}' ({e})");
            }
        }
        return Text;
    }

    public async Task<SandboxProcessExit> ExitAsync()
    {
        while (true)
        {
            SandboxProcessEvent? e = await NextAsync();
            if (e is SandboxProcessExit exit)
            {
                Assert.Null(await NextAsync()); // nothing after the exit
                return exit;
            }
            if (e is null)
            {
                throw new Xunit.Sdk.XunitException("The stream ended without an exit.");
            }
        }
    }

    public async Task<SandboxProcessEvent?> NextAsync()
    {
        if (!await _events.MoveNextAsync())
        {
            return null;
        }
        SandboxProcessEvent e = _events.Current;
        Events.Add(e);
        if (e is SandboxProcessOutput output)
        {
            _text.Append(output.Text);
        }
        return e;
    }

    /// <summary>Cancels the stream's token, as a caller who stops following would.</summary>
    public void Cancel() => _stop.Cancel();

    public async ValueTask DisposeAsync()
    {
        await _events.DisposeAsync();
        _stop.Dispose();
    }
}

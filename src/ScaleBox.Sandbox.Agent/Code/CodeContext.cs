using System.Text.Json;
using Grpc.Core;

namespace ScaleBox.Sandbox.Agent.Code;

/// <summary>
/// One code context: a runner with its state, used by one execution at a time. A cancelled or
/// timed-out call interrupts the kernel and still reads its events to the end of that execution, so
/// the next call starts clean and finds the state as it was. A kernel that dies makes the context
/// dead for good: the call sees Aborted with how the kernel ended (its exit code or signal), later
/// calls FailedPrecondition with the same (no silent restart: the state is gone).
/// </summary>
public sealed class CodeContext(string id, CodeLanguage language, string cwd, KernelBridge bridge, bool isDefault = false) : IAsyncDisposable
{
    readonly SemaphoreSlim turn = new(1, 1);
    volatile string? deathMessage;

    public string Id { get; } = id;
    public CodeLanguage Language { get; } = language;
    public string Cwd { get; } = cwd;
    public DateTime CreatedAt { get; } = DateTime.UtcNow;
    public int Pid => bridge.Pid;

    /// <summary>A language's default context, which the next execution naming no context replaces once its kernel has died.</summary>
    public bool IsDefault { get; } = isDefault;

    /// <summary>Whether its kernel died: every later execution fails.</summary>
    public bool IsDead => deathMessage is not null;

    public async Task ExecuteAsync(string code, IDictionary<string, string> env, Func<JsonElement, Task> onEvent, CancellationToken cancel)
    {
        await turn.WaitAsync(cancel);
        try
        {
            if (deathMessage is not null)
            {
                throw new RpcException(new Status(StatusCode.FailedPrecondition, $"context {Id}: {deathMessage}; destroy it and create a new one"));
            }
            try
            {
                await bridge.ExecuteAsync(code, env);
            }
            catch (IOException)
            {
                await DieAsync(null); // its runner is gone: the request could not be sent
            }
            bool interrupted = false;
            using CancellationTokenRegistration onCancel = cancel.Register(() =>
            {
                interrupted = true;
                _ = bridge.InterruptAsync();
            });
            while (true)
            {
                if (!await bridge.Events.WaitToReadAsync(CancellationToken.None) || !bridge.Events.TryRead(out JsonElement e))
                {
                    if (bridge.Events.Completion.IsCompleted)
                    {
                        await DieAsync(null);
                    }
                    continue;
                }
                switch (KernelBridge.Event(e))
                {
                    case "done":
                        cancel.ThrowIfCancellationRequested();
                        return;
                    case "died":
                        await DieAsync(e.TryGetProperty("message", out JsonElement how) ? how.GetString() : null);
                        break;
                    default:
                        if (!interrupted)
                        {
                            try { await onEvent(e); }
                            catch (Exception) when (cancel.IsCancellationRequested) { }
                        }
                        break;
                }
            }
        }
        finally
        {
            turn.Release();
        }
    }

    /// <param name="ending">How the kernel ended, as its runner saw it; null when the runner itself is gone.</param>
    async Task DieAsync(string? ending)
    {
        ending ??= await bridge.EndingAsync($"the {Language.Name} kernel");
        deathMessage = $"{ending} during an earlier execution, and its state with it";
        string runnerSaid = bridge.StderrTail is { Length: > 0 } tail ? $" (its runner's last words: {tail})" : "";
        throw new RpcException(new Status(StatusCode.Aborted,
            $"context {Id}: {ending} during this execution{runnerSaid}; its state (variables, imports) is gone: "
            + (IsDefault ? "the next execution that names no context starts a new kernel" : "destroy the context and create a new one")));
    }

    public ValueTask DisposeAsync() => bridge.DisposeAsync();
}

using System.Text.Json;
using Grpc.Core;

namespace ScaleBox.Sandbox.Agent.Code;

/// <summary>
/// One code context: a runner with its state, used by one execution at a time. A cancelled or
/// timed-out call interrupts the kernel and still reads its events to the end of that execution, so
/// the next call starts clean and finds the state as it was. A kernel that dies makes the context
/// dead for good: the call sees an error, later calls are told (no silent restart).
/// </summary>
public sealed class CodeContext(string id, CodeLanguage language, string cwd, KernelBridge bridge) : IAsyncDisposable
{
    readonly SemaphoreSlim turn = new(1, 1);
    string? deathMessage;

    public string Id { get; } = id;
    public CodeLanguage Language { get; } = language;
    public string Cwd { get; } = cwd;
    public DateTime CreatedAt { get; } = DateTime.UtcNow;
    public int Pid => bridge.Pid;

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
                Die("the context's kernel died"); // its runner is gone: the request could not be sent
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
                        Die("the context's kernel died");
                    }
                    continue;
                }
                switch (KernelBridge.Event(e))
                {
                    case "done":
                        cancel.ThrowIfCancellationRequested();
                        return;
                    case "died":
                        Die("the context's kernel died");
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

    void Die(string message)
    {
        deathMessage = message;
        throw new RpcException(new Status(StatusCode.Aborted, $"context {Id}: {message} during this execution: {bridge.StderrTail}"));
    }

    public ValueTask DisposeAsync() => bridge.DisposeAsync();
}

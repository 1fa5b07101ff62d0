using System;
using System.Threading;
using System.Threading.Tasks;
using Grpc.Core;
using ScaleBox.Sandbox.Client.Errors;
using Proto = ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Client.Processes;

/// <summary>
/// An open input stream to one process (the agent's client-streaming StreamInput call): each
/// <see cref="WriteAsync"/> sends one chunk, which the agent writes to the process in order as it
/// arrives; <see cref="CompleteAsync"/> closes the stream and waits for the agent to confirm that
/// everything was written. Needs a session on the Grpc protocol (HTTP/2).
/// <para>
/// Disposing the stream before <see cref="CompleteAsync"/> aborts it: chunks the agent has not yet
/// written may be lost. Closing the input stream does not close the process's stdin.
/// Writes are serialised; the object is safe to use from several threads.
/// </para>
/// </summary>
public sealed class SandboxProcessInputStream : IAsyncDisposable, IDisposable
{
    readonly AsyncClientStreamingCall<Proto.StreamInputRequest, Proto.StreamInputResponse> _call;
    readonly CancellationTokenSource _abort;
    readonly ErrorTranslator _errors;
    readonly TimeSpan _statusWait;
    readonly SemaphoreSlim _gate = new SemaphoreSlim(1, 1);
    Exception? _failure;
    long _bytesWritten;
    bool _completed;
    int _disposed;

    internal SandboxProcessInputStream(AsyncClientStreamingCall<Proto.StreamInputRequest, Proto.StreamInputResponse> call,
        CancellationTokenSource abort, SandboxProcessSelector process, SandboxInputTarget target, ErrorTranslator errors, TimeSpan statusWait)
    {
        _call = call;
        _abort = abort;
        Process = process;
        Target = target;
        _errors = errors;
        _statusWait = statusWait;
    }

    /// <summary>The process the input goes to.</summary>
    public SandboxProcessSelector Process { get; }

    /// <summary>Stdin or the terminal.</summary>
    public SandboxInputTarget Target { get; }

    /// <summary>Bytes sent so far.</summary>
    public long BytesWritten => Interlocked.Read(ref _bytesWritten);

    /// <summary>
    /// Sends one chunk. It returns once the chunk is on its way; a slow process slows the writes
    /// down instead of growing memory. An empty chunk sends nothing.
    /// </summary>
    /// <param name="cancellationToken">Cancelling it aborts the whole stream (gRPC cannot take back half a message).</param>
    /// <exception cref="SandboxException">The agent refused the input (an unknown or ended process, input of the wrong kind) or the connection failed.</exception>
    /// <exception cref="InvalidOperationException">The stream was completed, or failed before.</exception>
    public async Task WriteAsync(byte[] data, CancellationToken cancellationToken = default)
    {
        if (data is null)
        {
            throw new ArgumentNullException(nameof(data));
        }
        ThrowIfUnusable();
        if (data.Length == 0)
        {
            return;
        }
        var message = new Proto.StreamInputRequest
        {
            Data = new Proto.StreamInputRequest.Types.DataEvent { Input = ProcessMapping.ToInput(data, Target) },
        };

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfUnusable();
            using (AbortOn(cancellationToken))
            {
                try
                {
                    await _call.RequestStream.WriteAsync(message).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    throw _failure = await FailureAsync(e, cancellationToken).ConfigureAwait(false);
                }
            }
            Interlocked.Add(ref _bytesWritten, data.Length);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Closes the stream (a half-close) and waits until the agent has written every chunk to the
    /// process and confirmed it. Calling it again does nothing.
    /// </summary>
    /// <param name="cancellationToken">Cancelling it aborts the stream.</param>
    /// <exception cref="SandboxException">The agent refused some of the input, or the connection failed.</exception>
    public async Task CompleteAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_completed)
            {
                return;
            }
            ThrowIfUnusable();
            using (AbortOn(cancellationToken))
            {
                try
                {
                    await _call.RequestStream.CompleteAsync().ConfigureAwait(false);
                    await _call.ResponseAsync.ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    throw _failure = await FailureAsync(e, cancellationToken).ConfigureAwait(false);
                }
            }
            _completed = true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// A failed write usually means the agent ended the call: its status (not found, wrong kind of
    /// input) says why, better than the write's own error.
    /// </summary>
    async Task<Exception> FailureAsync(Exception error, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return new OperationCanceledException("The input stream was aborted; input not yet written by the agent may be lost.", error, cancellationToken);
        }
        Exception reason = error;
        Task response = _call.ResponseAsync;
        Task finished = await Task.WhenAny(response, Task.Delay(_statusWait)).ConfigureAwait(false);
        if (finished == response && response.IsFaulted && response.Exception?.InnerException is RpcException status)
        {
            reason = status;
        }
        return _errors.Translate(reason, "send input to", Process.ToString(), cancellationToken);
    }

    IDisposable? AbortOn(CancellationToken cancellationToken) =>
        cancellationToken.CanBeCanceled
            ? cancellationToken.Register(state => ((CancellationTokenSource)state!).Cancel(), _abort)
            : null;

    void ThrowIfUnusable()
    {
        ThrowIfDisposed();
        if (_completed)
        {
            throw new InvalidOperationException($"The input stream to {Process} is already complete; open a new one to send more.");
        }
        if (_failure is not null)
        {
            throw new InvalidOperationException($"The input stream to {Process} has failed: {_failure.Message}", _failure);
        }
    }

    void ThrowIfDisposed()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            throw new ObjectDisposedException(nameof(SandboxProcessInputStream), $"The input stream to {Process} has been closed.");
        }
    }

    /// <summary>Aborts the stream unless it was completed, and releases the call.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        if (!_completed)
        {
            _abort.Cancel();
        }
        _call.Dispose();
        _abort.Dispose();
    }

    /// <inheritdoc cref="Dispose"/>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return default;
    }

    public override string ToString() => $"input stream to {Process} ({Target})";
}

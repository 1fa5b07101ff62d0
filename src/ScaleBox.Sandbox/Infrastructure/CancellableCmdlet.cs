using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace ScaleBox.Sandbox.Infrastructure;

/// <summary>
/// Base of every cmdlet that waits on the network: Ctrl+C (StopProcessing) cancels the call in
/// flight at once, and waiting always happens on the pipeline thread so output stays legal.
/// </summary>
public abstract class CancellableCmdlet : PSCmdlet, IDisposable
{
    readonly CancellationTokenSource _stopping = new CancellationTokenSource();

    /// <summary>Cancelled when the user presses Ctrl+C or the pipeline is stopped.</summary>
    protected CancellationToken CancelToken => _stopping.Token;

    protected override void StopProcessing() => _stopping.Cancel();

    /// <summary>Blocks the pipeline thread until the call is done; a stop request ends the wait at once.</summary>
    protected T Wait<T>(Task<T> task)
    {
        try
        {
            return task.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
    }

    protected void Wait(Task task) => Wait(WithResult(task));

    static async Task<bool> WithResult(Task task)
    {
        await task.ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Runs <paramref name="work"/> on the thread pool and, on the pipeline thread, writes what it
    /// puts into the sink as it arrives. Returns when the work is done and its output written.
    /// Ctrl+C cancels the work; a downstream Select-Object -First ends it the same way.
    /// </summary>
    protected void Pump(Func<OutputSink, CancellationToken, Task> work)
    {
        var sink = new PipelineSink();
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        Task running = Task.Run(() => work(sink, cancellation.Token));
        _ = running.ContinueWith(_ => sink.Complete(), TaskScheduler.Default);
        try
        {
            while (Wait(sink.Reader.WaitToReadAsync(_stopping.Token).AsTask()))
            {
                while (sink.Reader.TryRead(out Action<Cmdlet>? write))
                {
                    write(this);
                }
            }
            Wait(running);
        }
        finally
        {
            // Whatever ended the loop (done, Ctrl+C, a stopped pipeline, an error), the work ends too.
            cancellation.Cancel();
            try
            {
                running.Wait(TimeSpan.FromSeconds(5));
            }
            catch (AggregateException)
            {
                // Its failure, if any, was already rethrown by Wait(running) or is moot after a stop.
            }
        }
    }

    /// <summary>Releases what a cmdlet holds across its blocks; PowerShell disposes the cmdlet however it ends.</summary>
    protected virtual void DisposeResources()
    {
    }

    public void Dispose()
    {
        DisposeResources();
        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }
}

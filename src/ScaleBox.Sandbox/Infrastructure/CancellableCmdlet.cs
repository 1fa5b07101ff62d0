using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace ScaleBox.Sandbox.Infrastructure
{
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

        public void Dispose()
        {
            _stopping.Dispose();
            GC.SuppressFinalize(this);
        }
    }
}

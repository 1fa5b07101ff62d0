using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ScaleBox.Sandbox.Client.Errors;

namespace ScaleBox.Sandbox.Infrastructure;

/// <summary>
/// A background job running a cmdlet's work (-AsJob): Get-Job, Receive-Job, Wait-Job and
/// Stop-Job work on it as on any other job. Stop-Job cancels the work.
/// </summary>
public sealed class SbxJob : Job
{
    readonly CancellationTokenSource _stopping = new CancellationTokenSource();
    readonly string _location;
    Task _work = Task.CompletedTask;

    public SbxJob(string command, string? name, string location)
        : base(command, name)
    {
        _location = location;
        PSJobTypeName = "SbxJob";
    }

    public override string Location => _location;

    public override string StatusMessage => string.Empty;

    public override bool HasMoreData =>
        Output.Count > 0 || Error.Count > 0 || Progress.Count > 0 || Verbose.Count > 0 || Warning.Count > 0;

    /// <summary>Starts the work on the thread pool; the job's state follows its outcome.</summary>
    public void Start(Func<OutputSink, CancellationToken, Task> work)
    {
        SetJobState(JobState.Running);
        _work = Task.Run(async () =>
        {
            var sink = new JobSink(this);
            try
            {
                await work(sink, _stopping.Token).ConfigureAwait(false);
                SetJobState(_stopping.IsCancellationRequested ? JobState.Stopped : JobState.Completed);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                SetJobState(JobState.Stopped);
            }
            catch (SandboxException e)
            {
                Error.Add(SandboxErrors.ToErrorRecord(e));
                SetJobState(JobState.Failed);
            }
            catch (Exception e)
            {
                Error.Add(new ErrorRecord(e, "JobFailed", ErrorCategory.NotSpecified, null));
                SetJobState(JobState.Failed);
            }
        });
    }

    /// <summary>Cancels the work and waits (briefly) until it has ended, so Remove-Job can follow at once.</summary>
    public override void StopJob()
    {
        _stopping.Cancel();
        _work.Wait(TimeSpan.FromSeconds(10));
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _stopping.Cancel();
            _stopping.Dispose();
        }
        base.Dispose(disposing);
    }
}

using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace ScaleBox.Sandbox.Infrastructure;

/// <summary>Output of work running as a job: straight into the job's thread-safe streams, for Receive-Job.</summary>
public sealed class JobSink : OutputSink
{
    readonly Job _job;

    public JobSink(Job job) => _job = job;

    public override ValueTask WriteObjectAsync(object value, CancellationToken cancellationToken)
    {
        _job.Output.Add(PSObject.AsPSObject(value));
        return default;
    }

    // A job has no pipeline thread to ask the FileSystem provider from: the item is built here,
    // without the provider's stat (UnixMode, User, Group and Size show blank in its table view).
    public override ValueTask WriteLocalItemAsync(string path, bool isDirectory, CancellationToken cancellationToken) =>
        WriteObjectAsync(LocalItem.ForPath(path, isDirectory), cancellationToken);

    public override ValueTask WriteErrorAsync(ErrorRecord error, CancellationToken cancellationToken)
    {
        _job.Error.Add(error);
        return default;
    }

    // A job's error stream never stops anything: the line goes there as it is.
    public override ValueTask WriteStandardErrorAsync(ErrorRecord line, CancellationToken cancellationToken) =>
        WriteErrorAsync(line, cancellationToken);

    public override ValueTask WriteVerboseAsync(string message, CancellationToken cancellationToken)
    {
        _job.Verbose.Add(new VerboseRecord(message));
        return default;
    }

    public override ValueTask WriteWarningAsync(string message, CancellationToken cancellationToken)
    {
        _job.Warning.Add(new WarningRecord(message));
        return default;
    }

    public override ValueTask WriteInformationAsync(InformationRecord record, CancellationToken cancellationToken)
    {
        _job.Information.Add(record);
        return default;
    }

    public override ValueTask InvokeOnPipelineAsync(Action<PSCmdlet> action, CancellationToken cancellationToken) => default;

    public override void TryWriteProgress(ProgressRecord progress) => _job.Progress.Add(progress);
}

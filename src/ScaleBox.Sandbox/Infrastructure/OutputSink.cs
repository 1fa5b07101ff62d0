using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace ScaleBox.Sandbox.Infrastructure;

/// <summary>
/// Where long-running work writes its results, so the same code can stream into the pipeline
/// (<see cref="PipelineSink"/>) or run as a background job (<see cref="JobSink"/>).
/// </summary>
public abstract class OutputSink
{
    public abstract ValueTask WriteObjectAsync(object value, CancellationToken cancellationToken);

    /// <summary>Several objects in order, as one hand-off where the sink can: the lines of one chunk of output, say.</summary>
    public virtual async ValueTask WriteObjectsAsync(IReadOnlyList<object> values, CancellationToken cancellationToken)
    {
        foreach (object value in values)
        {
            await WriteObjectAsync(value, cancellationToken).ConfigureAwait(false);
        }
    }

    public abstract ValueTask WriteErrorAsync(ErrorRecord error, CancellationToken cancellationToken);

    /// <summary>A local file or directory that the work wrote, as Get-Item would return it.</summary>
    public abstract ValueTask WriteLocalItemAsync(string path, bool isDirectory, CancellationToken cancellationToken);

    /// <summary>
    /// A line a process wrote to standard error: in the error stream as a native command's
    /// stderr, which redirection (2>&amp;1, 2>$null) handles and -ErrorAction Stop does not stop on.
    /// </summary>
    public abstract ValueTask WriteStandardErrorAsync(ErrorRecord line, CancellationToken cancellationToken);

    public abstract ValueTask WriteVerboseAsync(string message, CancellationToken cancellationToken);

    public abstract ValueTask WriteWarningAsync(string message, CancellationToken cancellationToken);

    public abstract ValueTask WriteInformationAsync(InformationRecord record, CancellationToken cancellationToken);

    /// <summary>
    /// Runs something that needs the cmdlet on the pipeline thread, such as setting a session
    /// variable, in order with the output around it. A job has no pipeline: there it does nothing.
    /// </summary>
    public abstract ValueTask InvokeOnPipelineAsync(Action<PSCmdlet> action, CancellationToken cancellationToken);

    /// <summary>
    /// Progress is advisory: an update that cannot be taken at once is dropped rather than
    /// slowing the work down; a later one supersedes it anyway.
    /// </summary>
    public abstract void TryWriteProgress(ProgressRecord progress);
}

using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace ScaleBox.Sandbox.Infrastructure;

/// <summary>
/// Output of work running off the pipeline thread, queued for the pipeline thread, which is the
/// only one PowerShell lets write (see <see cref="CancellableCmdlet"/>.Pump). The queue is
/// bounded, so a producer faster than the pipeline waits instead of filling memory.
/// </summary>
public sealed class PipelineSink : OutputSink
{
    const int Capacity = 256;

    readonly Channel<Action<Cmdlet>> _queue = Channel.CreateBounded<Action<Cmdlet>>(
        new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    internal ChannelReader<Action<Cmdlet>> Reader => _queue.Reader;

    public override ValueTask WriteObjectAsync(object value, CancellationToken cancellationToken) =>
        _queue.Writer.WriteAsync(cmdlet => cmdlet.WriteObject(value), cancellationToken);

    // One queue item for the lot: a hand-off to the pipeline thread per line costs more than the line.
    public override ValueTask WriteObjectsAsync(IReadOnlyList<object> values, CancellationToken cancellationToken) =>
        _queue.Writer.WriteAsync(cmdlet =>
        {
            foreach (object value in values)
            {
                cmdlet.WriteObject(value);
            }
        }, cancellationToken);

    public override ValueTask WriteErrorAsync(ErrorRecord error, CancellationToken cancellationToken) =>
        _queue.Writer.WriteAsync(cmdlet => cmdlet.WriteError(error), cancellationToken);

    // Looked up on the pipeline thread: the FileSystem provider may only be called from there.
    public override ValueTask WriteLocalItemAsync(string path, bool isDirectory, CancellationToken cancellationToken) =>
        _queue.Writer.WriteAsync(cmdlet => cmdlet.WriteObject(LocalItem.FromProvider((PSCmdlet)cmdlet, path, isDirectory)), cancellationToken);

    public override ValueTask WriteStandardErrorAsync(ErrorRecord line, CancellationToken cancellationToken) =>
        _queue.Writer.WriteAsync(cmdlet => StandardErrorWriter.Write((PSCmdlet)cmdlet, line), cancellationToken);

    public override ValueTask WriteVerboseAsync(string message, CancellationToken cancellationToken) =>
        _queue.Writer.WriteAsync(cmdlet => cmdlet.WriteVerbose(message), cancellationToken);

    public override ValueTask WriteWarningAsync(string message, CancellationToken cancellationToken) =>
        _queue.Writer.WriteAsync(cmdlet => cmdlet.WriteWarning(message), cancellationToken);

    public override ValueTask WriteInformationAsync(InformationRecord record, CancellationToken cancellationToken) =>
        _queue.Writer.WriteAsync(cmdlet => cmdlet.WriteInformation(record), cancellationToken);

    public override ValueTask InvokeOnPipelineAsync(Action<PSCmdlet> action, CancellationToken cancellationToken) =>
        _queue.Writer.WriteAsync(cmdlet => action((PSCmdlet)cmdlet), cancellationToken);

    public override void TryWriteProgress(ProgressRecord progress) =>
        _queue.Writer.TryWrite(cmdlet => cmdlet.WriteProgress(progress));

    internal void Complete() => _queue.Writer.TryComplete();
}

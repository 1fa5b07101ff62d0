using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace ScaleBox.Sandbox.Infrastructure;

/// <summary>
/// What one of several concurrent pieces of work writes, kept until its turn comes and then
/// handed on to the real sink in the order written, so that work run side by side still reaches
/// the pipeline in the order it was asked for. Progress is not kept: it goes straight through,
/// since a bar shown late shows nothing.
/// </summary>
public sealed class DeferredSink : OutputSink
{
    readonly OutputSink _target;
    readonly List<Func<OutputSink, CancellationToken, ValueTask>> _kept = new List<Func<OutputSink, CancellationToken, ValueTask>>();

    public DeferredSink(OutputSink target) => _target = target;

    /// <summary>Hands everything kept so far on to the real sink, in the order it was written.</summary>
    public async ValueTask ReplayAsync(CancellationToken cancellationToken)
    {
        Func<OutputSink, CancellationToken, ValueTask>[] kept;
        lock (_kept)
        {
            kept = _kept.ToArray();
            _kept.Clear();
        }
        foreach (Func<OutputSink, CancellationToken, ValueTask> write in kept)
        {
            await write(_target, cancellationToken).ConfigureAwait(false);
        }
    }

    ValueTask Keep(Func<OutputSink, CancellationToken, ValueTask> write)
    {
        lock (_kept)
        {
            _kept.Add(write);
        }
        return default;
    }

    public override ValueTask WriteObjectAsync(object value, CancellationToken cancellationToken) =>
        Keep((sink, cancel) => sink.WriteObjectAsync(value, cancel));

    public override ValueTask WriteErrorAsync(ErrorRecord error, CancellationToken cancellationToken) =>
        Keep((sink, cancel) => sink.WriteErrorAsync(error, cancel));

    public override ValueTask WriteLocalItemAsync(string path, bool isDirectory, CancellationToken cancellationToken) =>
        Keep((sink, cancel) => sink.WriteLocalItemAsync(path, isDirectory, cancel));

    public override ValueTask WriteStandardErrorAsync(ErrorRecord line, CancellationToken cancellationToken) =>
        Keep((sink, cancel) => sink.WriteStandardErrorAsync(line, cancel));

    public override ValueTask WriteVerboseAsync(string message, CancellationToken cancellationToken) =>
        Keep((sink, cancel) => sink.WriteVerboseAsync(message, cancel));

    public override ValueTask WriteWarningAsync(string message, CancellationToken cancellationToken) =>
        Keep((sink, cancel) => sink.WriteWarningAsync(message, cancel));

    public override ValueTask WriteInformationAsync(InformationRecord record, CancellationToken cancellationToken) =>
        Keep((sink, cancel) => sink.WriteInformationAsync(record, cancel));

    public override ValueTask InvokeOnPipelineAsync(Action<PSCmdlet> action, CancellationToken cancellationToken) =>
        Keep((sink, cancel) => sink.InvokeOnPipelineAsync(action, cancel));

    public override void TryWriteProgress(ProgressRecord progress) => _target.TryWriteProgress(progress);
}

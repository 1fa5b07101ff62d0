using System;
using System.IO;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Transport;

namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>
/// Which failures of one item let a directory copy go on (reported as that item's outcome) and
/// which end it: a cancellation, a rejected token, or an agent that no longer answers at all.
/// </summary>
internal static class TreeCopyFailures
{
    public static bool IsPerItem(Exception error, CancellationToken cancellationToken)
    {
        if (error is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        return error is SandboxException sandbox
            ? sandbox.Code != SandboxErrorCode.Unauthenticated
            : error is IOException || error is UnauthorizedAccessException || error is ArgumentException || error is NotSupportedException;
    }

    /// <summary>After an Unavailable failure, asks /health: an agent that cannot be reached ends the copy with that failure.</summary>
    public static async Task ThrowIfNothingCanGoOnAsync(SandboxClient client, Exception failure, CancellationToken cancellationToken)
    {
        if (!(failure is SandboxException { Code: SandboxErrorCode.Unavailable }))
        {
            return;
        }
        bool reachable;
        try
        {
            reachable = await client.IsHealthyAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SandboxException)
        {
            reachable = false;
        }
        if (!reachable)
        {
            ExceptionDispatchInfo.Capture(failure).Throw();
        }
    }

    public static SandboxTransferReason ReasonFor(Exception error) =>
        error is SandboxException { Code: SandboxErrorCode.AlreadyExists } ? SandboxTransferReason.AlreadyExists : SandboxTransferReason.Error;
}

using System;
using System.Management.Automation;
using ScaleBox.Sandbox.Client.Errors;

namespace ScaleBox.Sandbox.Infrastructure;

/// <summary>Turns library exceptions into ErrorRecords: a stable ErrorId, a category from the status code, the target.</summary>
public static class SandboxErrors
{
    public static ErrorCategory CategoryOf(SandboxErrorCode code) => code switch
    {
        SandboxErrorCode.NotFound => ErrorCategory.ObjectNotFound,
        SandboxErrorCode.AlreadyExists => ErrorCategory.ResourceExists,
        SandboxErrorCode.PermissionDenied => ErrorCategory.PermissionDenied,
        SandboxErrorCode.Unauthenticated => ErrorCategory.AuthenticationError,
        SandboxErrorCode.InvalidArgument => ErrorCategory.InvalidArgument,
        SandboxErrorCode.OutOfRange => ErrorCategory.InvalidArgument,
        SandboxErrorCode.DeadlineExceeded => ErrorCategory.OperationTimeout,
        SandboxErrorCode.Unavailable => ErrorCategory.ConnectionError,
        SandboxErrorCode.Cancelled => ErrorCategory.OperationStopped,
        SandboxErrorCode.Aborted => ErrorCategory.OperationStopped,
        SandboxErrorCode.ResourceExhausted => ErrorCategory.LimitsExceeded,
        SandboxErrorCode.FailedPrecondition => ErrorCategory.InvalidOperation,
        SandboxErrorCode.Unimplemented => ErrorCategory.NotImplemented,
        SandboxErrorCode.DataLoss => ErrorCategory.InvalidData,
        _ => ErrorCategory.NotSpecified,
    };

    /// <summary>Failures after which no further item can succeed, so the cmdlet stops instead of repeating them.</summary>
    public static bool IsFatal(SandboxException error) =>
        error.Code == SandboxErrorCode.Unauthenticated || error.Code == SandboxErrorCode.Unavailable;

    public static ErrorRecord ToErrorRecord(SandboxException error, object? target = null) =>
        new ErrorRecord(error, error.Code.ToString(), CategoryOf(error.Code), target ?? error.Target)
        {
            ErrorDetails = new ErrorDetails(error.Message),
        };

    public static ErrorRecord Create(string errorId, ErrorCategory category, object? target, string message, Exception? inner = null) =>
        new ErrorRecord(inner ?? new InvalidOperationException(message), errorId, category, target)
        {
            ErrorDetails = new ErrorDetails(message),
        };
}

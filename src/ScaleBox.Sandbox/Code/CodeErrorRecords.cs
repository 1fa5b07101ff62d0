using System.Management.Automation;
using ScaleBox.Sandbox.Client.Code;

namespace ScaleBox.Sandbox.Code;

/// <summary>
/// An exception raised by sandbox code as an ErrorRecord: the exception's type as the ErrorId,
/// a category that fits it, the traceback as the details a person reads.
/// </summary>
internal static class CodeErrorRecords
{
    public static ErrorRecord From(SandboxCodeError error)
    {
        var exception = new RuntimeException(error.ToString());
        string details = error.Traceback.Length > 0 ? error.Traceback.TrimEnd() : error.ToString();
        return new ErrorRecord(exception, error.Name.Length > 0 ? error.Name : "CodeError", CategoryOf(error.Name), error)
        {
            ErrorDetails = new ErrorDetails(details),
        };
    }

    /// <summary>By the exception's name, as Python and JavaScript name them; anything else is an InvalidOperation.</summary>
    static ErrorCategory CategoryOf(string name) => name switch
    {
        "NameError" or "KeyError" or "IndexError" or "AttributeError" or "ModuleNotFoundError" or "ImportError"
            or "FileNotFoundError" or "LookupError" or "ReferenceError" => ErrorCategory.ObjectNotFound,
        "TypeError" => ErrorCategory.InvalidType,
        "ValueError" or "ZeroDivisionError" or "ArithmeticError" or "OverflowError" or "RangeError" or "AssertionError" => ErrorCategory.InvalidArgument,
        "SyntaxError" or "IndentationError" or "TabError" => ErrorCategory.ParserError,
        "PermissionError" => ErrorCategory.PermissionDenied,
        "TimeoutError" => ErrorCategory.OperationTimeout,
        "ConnectionError" or "ConnectionRefusedError" or "ConnectionResetError" => ErrorCategory.ConnectionError,
        "MemoryError" => ErrorCategory.LimitsExceeded,
        "KeyboardInterrupt" => ErrorCategory.OperationStopped,
        "FileExistsError" => ErrorCategory.ResourceExists,
        "NotImplementedError" => ErrorCategory.NotImplemented,
        _ => ErrorCategory.InvalidOperation,
    };
}

using System;
using System.Management.Automation;
using System.Reflection;

namespace ScaleBox.Sandbox.Infrastructure;

/// <summary>
/// Writes a line a sandbox process wrote to standard error the way PowerShell writes a native
/// command's: into the error stream, so that 2>&amp;1, 2>file and 2>$null work, but without
/// -ErrorAction Stop turning it into a terminating error, which is the exit code's job
/// (-CheckExitCode). Cmdlet.WriteError cannot do that; the engine's own path for native
/// stderr can, and is used when this PowerShell has it.
/// </summary>
internal static class StandardErrorWriter
{
    // MshCommandRuntime._WriteErrorSkipAllowCheck(ErrorRecord, ActionPreference?[, bool isFromNativeStdError]):
    // what the native command processor calls. Internal, so looked up once and used only if found.
    static readonly MethodInfo? NativeWrite = FindNativeWrite();

    public const string ErrorId = "NativeCommandError";

    public static ErrorRecord Record(string line) =>
        new ErrorRecord(new RemoteException(line), ErrorId, ErrorCategory.NotSpecified, line);

    public static void Write(PSCmdlet cmdlet, ErrorRecord record)
    {
        ActionPreference preference = EffectivePreference(cmdlet);
        if (NativeWrite is not null && cmdlet.CommandRuntime is { } runtime && NativeWrite.DeclaringType!.IsInstanceOfType(runtime))
        {
            if (preference == ActionPreference.Ignore)
            {
                return;
            }
            // isFromNativeStdError stays false: it would also keep the line out of -ErrorVariable.
            object?[] arguments = NativeWrite.GetParameters().Length == 3
                ? new object?[] { record, preference, false }
                : new object?[] { record, preference };
            try
            {
                NativeWrite.Invoke(runtime, arguments);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            }
            return;
        }
        cmdlet.WriteError(record);
    }

    /// <summary>
    /// The cmdlet's error preference, except that Stop and Inquire act as Continue: a line on
    /// standard error is not a failure. SilentlyContinue and Ignore are honoured.
    /// </summary>
    static ActionPreference EffectivePreference(PSCmdlet cmdlet)
    {
        object? value = cmdlet.MyInvocation.BoundParameters.TryGetValue("ErrorAction", out object? bound)
            ? bound
            : cmdlet.GetVariableValue("ErrorActionPreference");
        ActionPreference preference = value is ActionPreference p ? p
            : value is not null && Enum.TryParse(value.ToString(), true, out ActionPreference parsed) ? parsed
            : ActionPreference.Continue;
        return preference == ActionPreference.Stop || preference == ActionPreference.Inquire || preference == ActionPreference.Suspend
            ? ActionPreference.Continue
            : preference;
    }

    static MethodInfo? FindNativeWrite()
    {
        Type? runtime = typeof(PSCmdlet).Assembly.GetType("System.Management.Automation.MshCommandRuntime");
        foreach (MethodInfo method in runtime?.GetMethods(BindingFlags.Instance | BindingFlags.NonPublic) ?? new MethodInfo[0])
        {
            ParameterInfo[] parameters = method.GetParameters();
            if (method.Name == "_WriteErrorSkipAllowCheck" && parameters.Length >= 2 && parameters.Length <= 3
                && parameters[0].ParameterType == typeof(ErrorRecord)
                && parameters[1].ParameterType == typeof(ActionPreference?)
                && (parameters.Length == 2 || parameters[2].ParameterType == typeof(bool)))
            {
                return method;
            }
        }
        return null;
    }
}

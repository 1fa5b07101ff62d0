using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace ScaleBox.Sandbox.Infrastructure;

/// <summary>
/// Completion of Copy-SbxItem's paths, which are local or in a sandbox by direction: the side in a
/// sandbox (-Path with -FromSandbox or -FromSession, -Destination with -ToSandbox or -ToSession)
/// completes from that sandbox; the local side completes as any local path does (PowerShell's own
/// file completion, which a parameter with a completer of its own does not fall back to).
/// </summary>
public sealed class CopySidePathCompleter : IArgumentCompleter
{
    static readonly SandboxPathCompleter Sandbox = new();

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName,
        string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        bool destination = string.Equals(parameterName, "Destination", StringComparison.OrdinalIgnoreCase);
        if (Bound(fakeBoundParameters, destination ? "ToSession" : "FromSession") is { } session)
        {
            // Between two sessions each side has its own sandbox: complete from that one.
            return Sandbox.CompleteArgument(commandName, parameterName, wordToComplete, commandAst, new Hashtable { ["Session"] = session });
        }
        return LanguagePrimitives.IsTrue(Bound(fakeBoundParameters, destination ? "ToSandbox" : "FromSandbox"))
            ? Sandbox.CompleteArgument(commandName, parameterName, wordToComplete, commandAst, fakeBoundParameters)
            : CompletionCompleters.CompleteFilename(wordToComplete);
    }

    static object? Bound(IDictionary bound, string name) =>
        bound.Keys.Cast<object>().FirstOrDefault(key => string.Equals(key as string, name, StringComparison.OrdinalIgnoreCase)) is { } key
            ? bound[key]
            : null;
}

using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace ScaleBox.Sandbox.Infrastructure;

/// <summary>
/// Completion of Copy-SbxItem's paths, which are local or in the sandbox by direction: the side in
/// the sandbox (-Path with -FromSandbox, -Destination with -ToSandbox) completes from the sandbox;
/// the local side completes as any local path does (PowerShell's own file completion, which a
/// parameter with a completer of its own does not fall back to).
/// </summary>
public sealed class CopySidePathCompleter : IArgumentCompleter
{
    static readonly SandboxPathCompleter Sandbox = new();

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName,
        string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string sandboxSide = string.Equals(parameterName, "Destination", StringComparison.OrdinalIgnoreCase) ? "ToSandbox" : "FromSandbox";
        return IsPresent(fakeBoundParameters, sandboxSide)
            ? Sandbox.CompleteArgument(commandName, parameterName, wordToComplete, commandAst, fakeBoundParameters)
            : CompletionCompleters.CompleteFilename(wordToComplete);
    }

    static bool IsPresent(IDictionary bound, string name) =>
        bound.Keys.Cast<object>().Any(key => string.Equals(key as string, name, StringComparison.OrdinalIgnoreCase)
            && LanguagePrimitives.IsTrue(bound[key]));
}

using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace ScaleBox.Sandbox.Code;

/// <summary>Completes -Language with the names the code interpreter API uses (no call to the sandbox).</summary>
public sealed class CodeLanguageCompleter : IArgumentCompleter
{
    static readonly string[] Languages = { "python", "javascript", "js", "node", "typescript", "bash", "r", "java", "deno" };

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName,
        string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string word = (wordToComplete ?? string.Empty).Trim('\'', '"');
        return Languages
            .Where(l => l.StartsWith(word, StringComparison.OrdinalIgnoreCase))
            .Select(l => new CompletionResult(l, l, CompletionResultType.ParameterValue, l));
    }
}

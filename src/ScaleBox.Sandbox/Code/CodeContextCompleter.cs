using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using ScaleBox.Sandbox.Infrastructure;
using ScaleBox.Sandbox.Sessions;

namespace ScaleBox.Sandbox.Code;

/// <summary>
/// Tab completion of code context ids from the contexts made through the session being typed (or
/// the default one), each shown with its language and folder; nothing remote is asked.
/// </summary>
public sealed class CodeContextCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName,
        string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        SbxSession? session = CompletionSession.For(fakeBoundParameters);
        if (session is null)
        {
            return Enumerable.Empty<CompletionResult>();
        }
        string word = (wordToComplete ?? string.Empty).Trim('\'', '"');
        return session.CodeContexts.Values
            .Where(c => c.Id.StartsWith(word, StringComparison.Ordinal))
            .OrderBy(c => c.CreatedAt)
            .Select(c => new CompletionResult(CompletionSession.Quote(c.Id), $"{c.Id} ({c.Language})", CompletionResultType.ParameterValue,
                $"{c.Language} in {c.Cwd}"))
            .ToList();
    }
}

using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using ScaleBox.Sandbox.Sessions;

namespace ScaleBox.Sandbox.Infrastructure;

/// <summary>Tab completion of session names from this runspace's sessions (nothing remote is asked).</summary>
public sealed class SessionNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName,
        string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string word = (wordToComplete ?? string.Empty).Trim('\'', '"');
        return SessionStore.Current.All
            .Where(s => s.Name.StartsWith(word, StringComparison.OrdinalIgnoreCase))
            .OrderBy(s => s.Id)
            .Select(s => new CompletionResult(CompletionSession.Quote(s.Name), s.Name, CompletionResultType.ParameterValue, $"{s.Name}: {s.Domain} (Id {s.Id})"))
            .ToList();
    }
}

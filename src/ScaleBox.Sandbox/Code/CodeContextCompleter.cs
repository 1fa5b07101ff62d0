using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using ScaleBox.Sandbox.Infrastructure;
using ScaleBox.Sandbox.Sessions;

namespace ScaleBox.Sandbox.Code;

/// <summary>
/// Tab completion of code context ids from the contexts made through the session being typed (or
/// the default one), each shown with its language and folder; nothing remote is asked.
/// </summary>
public sealed class CodeContextCompleter : LiveCompleter
{
    protected override IEnumerable<CompletionResult> Complete(SbxSession session, string commandName, string parameterName, string word,
        CancellationToken cancellationToken) =>
        session.CodeContexts.Values
            .Where(c => c.Id.StartsWith(word, StringComparison.Ordinal))
            .OrderBy(c => c.CreatedAt)
            .Select(c => new CompletionResult(CompletionSession.Quote(c.Id), $"{c.Id} ({c.Language})", CompletionResultType.ParameterValue,
                $"{c.Language} in {c.Cwd}"));
}

using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Threading;
using ScaleBox.Sandbox.Sessions;

namespace ScaleBox.Sandbox.Infrastructure;

/// <summary>
/// Base of the completers that complete from a session (paths and processes, asked of the sandbox;
/// code contexts, known to the session): they use the session being typed or the default one, give
/// up after a short time, and never prompt or write an error: an unreachable sandbox just completes nothing.
/// </summary>
public abstract class LiveCompleter : IArgumentCompleter
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
        try
        {
            using var timeout = new CancellationTokenSource(CompletionSession.Budget);
            return Complete(session, commandName, parameterName, word, timeout.Token).ToList();
        }
        catch (Exception)
        {
            // Completion is best effort.
            return Enumerable.Empty<CompletionResult>();
        }
    }

    /// <summary>The completions of <paramref name="word"/> (unquoted) from the sandbox of <paramref name="session"/>.</summary>
    protected abstract IEnumerable<CompletionResult> Complete(SbxSession session, string commandName, string parameterName, string word,
        CancellationToken cancellationToken);
}

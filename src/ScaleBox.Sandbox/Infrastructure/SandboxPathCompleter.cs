using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Threading;
using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Sessions;

namespace ScaleBox.Sandbox.Infrastructure
{
    /// <summary>
    /// Tab completion of sandbox paths from a live listing. Uses the -Session being typed or the
    /// default one, gives up after a short time, and never prompts or writes errors.
    /// </summary>
    public sealed class SandboxPathCompleter : IArgumentCompleter
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
            bool endsInSeparator = word.EndsWith("/", StringComparison.Ordinal);
            string directory = endsInSeparator ? word : word.Contains("/") ? SandboxPath.GetParent(word) : ".";
            string prefix = endsInSeparator ? string.Empty : SandboxPath.GetLeaf(word);

            try
            {
                using var timeout = new CancellationTokenSource(CompletionSession.Budget);
                IReadOnlyList<SandboxItem> items = session.Client.Files
                    .GetChildItemsAsync(directory.Length == 0 ? "/" : directory, 1, timeout.Token)
                    .GetAwaiter().GetResult();
                return items
                    .Where(i => i.Name.StartsWith(prefix, StringComparison.Ordinal))
                    .OrderBy(i => i.Name, StringComparer.Ordinal)
                    .Select(i => ToResult(i, word.Contains("/") ? SandboxPath.Join(directory, i.Name) : i.Name))
                    .ToList();
            }
            catch (Exception)
            {
                // Completion is best effort: an unreachable sandbox just completes nothing.
                return Enumerable.Empty<CompletionResult>();
            }
        }

        static CompletionResult ToResult(SandboxItem item, string text) =>
            new CompletionResult(CompletionSession.Quote(text), item.Name,
                item.IsDirectory ? CompletionResultType.ProviderContainer : CompletionResultType.ProviderItem,
                item.Path);
    }
}

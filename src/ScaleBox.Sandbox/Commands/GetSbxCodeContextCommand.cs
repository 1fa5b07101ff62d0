using System.Linq;
using System.Management.Automation;
using ScaleBox.Sandbox.Client.Code;
using ScaleBox.Sandbox.Code;
using ScaleBox.Sandbox.Infrastructure;

namespace ScaleBox.Sandbox.Commands;

/// <summary>Lists the code contexts made through the session (the agent has no call that lists them).</summary>
[Cmdlet(VerbsCommon.Get, "SbxCodeContext", HelpUri = HelpLinks.Root + "Get-SbxCodeContext.md")]
[OutputType(typeof(SandboxCodeContext))]
public sealed class GetSbxCodeContextCommand : SessionCmdlet
{
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(CodeContextCompleter))]
    public string[]? Id { get; set; }

    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string? Language { get; set; }

    protected override void EndProcessing()
    {
        var contexts = ResolvedSession.CodeContexts.Values.OrderBy(c => c.CreatedAt).ToList();
        var language = Language is null ? null : new WildcardPattern(Language, WildcardOptions.IgnoreCase);
        foreach (string pattern in Id ?? new[] { "*" })
        {
            var id = new WildcardPattern(pattern, WildcardOptions.None);
            var matches = contexts.Where(c => id.IsMatch(c.Id) && (language is null || language.IsMatch(c.Language))).ToList();
            if (matches.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(pattern))
            {
                WriteError(SandboxErrors.Create("CodeContextNotFound", ErrorCategory.ObjectNotFound, pattern,
                    $"No code context with id '{pattern}' was made through this session."));
            }
            foreach (SandboxCodeContext context in matches)
            {
                WriteObject(context);
            }
        }
    }
}

using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ScaleBox.Sandbox.Infrastructure;
using ScaleBox.Sandbox.Sessions;

namespace ScaleBox.Sandbox.Commands;

/// <summary>Closes sessions and forgets them. The sandbox itself keeps running.</summary>
[Cmdlet(VerbsCommon.Remove, "SbxSession", DefaultParameterSetName = BySession, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, HelpUri = HelpLinks.Root + "Remove-SbxSession.md")]
public sealed class RemoveSbxSessionCommand : PSCmdlet
{
    const string BySession = "Session";
    const string ByName = "Name";
    const string ById = "Id";

    /// <summary>The sessions, or their names or Ids, as every -Session takes them.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = BySession)]
    [ValidateNotNull]
    [SessionArgument]
    [ArgumentCompleter(typeof(SessionNameCompleter))]
    public SbxSession[] Session { get; set; } = new SbxSession[0];

    [Parameter(Mandatory = true, ParameterSetName = ByName)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(SessionNameCompleter))]
    public string[] Name { get; set; } = new string[0];

    [Parameter(Mandatory = true, ParameterSetName = ById)]
    public int[] Id { get; set; } = new int[0];

    protected override void ProcessRecord()
    {
        SessionStore store = SessionStore.Current;
        var sessions = store.All;
        var targets = new List<SbxSession>();
        switch (ParameterSetName)
        {
            case ById:
                foreach (int id in Id)
                {
                    AddMatches(targets, sessions.Where(s => s.Id == id), id, false, $"There is no session with Id {id}.");
                }
                break;
            case ByName:
                foreach (string name in Name)
                {
                    var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
                    AddMatches(targets, sessions.Where(s => pattern.IsMatch(s.Name)), name,
                        WildcardPattern.ContainsWildcardCharacters(name), $"There is no session named '{name}'.");
                }
                break;
            default:
                targets.AddRange(Session);
                break;
        }
        foreach (SbxSession session in targets.Distinct())
        {
            if (ShouldProcess(session.ToString(), "Remove sandbox session"))
            {
                store.Remove(session);
            }
        }
    }

    /// <summary>Collects matches; a name or id that matches nothing is an error, a wildcard is not (as Get-SbxSession).</summary>
    void AddMatches(List<SbxSession> into, IEnumerable<SbxSession> matches, object target, bool isWildcard, string notFound)
    {
        int before = into.Count;
        into.AddRange(matches);
        if (into.Count == before && !isWildcard)
        {
            WriteError(SandboxErrors.Create("SessionNotFound", ErrorCategory.ObjectNotFound, target, notFound));
        }
    }
}

using System.Linq;
using System.Management.Automation;
using ScaleBox.Sandbox.Infrastructure;
using ScaleBox.Sandbox.Sessions;

namespace ScaleBox.Sandbox.Commands;

/// <summary>Lists the sessions of the current runspace, oldest first; the last one is the default.</summary>
[Cmdlet(VerbsCommon.Get, "SbxSession", DefaultParameterSetName = ByName, HelpUri = HelpLinks.Root + "Get-SbxSession.md")]
[OutputType(typeof(SbxSession))]
public sealed class GetSbxSessionCommand : PSCmdlet
{
    const string ByName = "Name";
    const string ById = "Id";

    [Parameter(Position = 0, ParameterSetName = ByName)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SessionNameCompleter))]
    public string[]? Name { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = ById)]
    public int[] Id { get; set; } = new int[0];

    protected override void EndProcessing()
    {
        var sessions = SessionStore.Current.All;
        if (ParameterSetName == ById)
        {
            foreach (int id in Id)
            {
                SbxSession? match = sessions.FirstOrDefault(s => s.Id == id);
                if (match is null)
                {
                    WriteError(SandboxErrors.Create("SessionNotFound", ErrorCategory.ObjectNotFound, id, $"There is no session with Id {id}."));
                    continue;
                }
                WriteObject(match);
            }
            return;
        }

        if (Name is null)
        {
            WriteObject(sessions, enumerateCollection: true);
            return;
        }
        foreach (string name in Name)
        {
            var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
            var matches = sessions.Where(s => pattern.IsMatch(s.Name)).ToList();
            if (matches.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
            {
                WriteError(SandboxErrors.Create("SessionNotFound", ErrorCategory.ObjectNotFound, name, $"There is no session named '{name}'."));
            }
            WriteObject(matches, enumerateCollection: true);
        }
    }
}

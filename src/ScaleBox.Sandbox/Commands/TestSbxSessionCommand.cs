using System.Management.Automation;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Infrastructure;
using ScaleBox.Sandbox.Sessions;

namespace ScaleBox.Sandbox.Commands;

/// <summary>
/// Asks the sandbox agent's /health endpoint whether it is up: true or false, never an error.
/// With -Detailed, also whether the session's token is accepted, and how long /health took.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "SbxSession", HelpUri = HelpLinks.Root + "Test-SbxSession.md")]
[OutputType(typeof(bool))]
[OutputType(typeof(SandboxCheck))]
public sealed class TestSbxSessionCommand : CancellableCmdlet
{
    /// <summary>The sessions to test; the default session when none is given.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true)]
    [ValidateNotNull]
    [SessionArgument]
    [ArgumentCompleter(typeof(SessionNameCompleter))]
    public SbxSession[]? Session { get; set; }

    /// <summary>Returns an object per session instead of a Boolean: health, its round trip, and whether the token is accepted.</summary>
    [Parameter]
    public SwitchParameter Detailed { get; set; }

    protected override void ProcessRecord()
    {
        foreach (SbxSession session in Session ?? new[] { SessionResolver.Resolve(this, null) })
        {
            WriteObject(Detailed ? (object)Check(session) : IsHealthy(session));
        }
    }

    PSObject Check(SbxSession session)
    {
        SandboxCheck check = session.IsClosed
            ? SandboxCheck.NotMade(session.Domain, session.Protocol, $"Session '{session.Name}' has been removed.")
            : Wait(session.Client.CheckAsync(CancelToken));
        if (check.Problem is not null)
        {
            WriteVerbose(check.Problem);
        }
        var result = PSObject.AsPSObject(check);
        // The session's name, for tables of several sessions; the check itself knows only the domain.
        result.Properties.Add(new PSNoteProperty("Session", session.Name));
        return result;
    }

    bool IsHealthy(SbxSession session)
    {
        if (session.IsClosed)
        {
            WriteVerbose($"Session '{session.Name}' has been removed.");
            return false;
        }
        try
        {
            bool healthy = Wait(session.Client.IsHealthyAsync(CancelToken));
            WriteVerbose(healthy ? $"{session.BaseUri} is healthy." : $"{session.BaseUri} answered, but not with 200 OK.");
            return healthy;
        }
        catch (SandboxException e)
        {
            WriteVerbose(e.Message);
            return false;
        }
    }
}

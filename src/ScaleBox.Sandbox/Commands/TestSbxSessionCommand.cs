using System.Management.Automation;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Infrastructure;
using ScaleBox.Sandbox.Sessions;

namespace ScaleBox.Sandbox.Commands;

/// <summary>Asks the sandbox agent's /health endpoint whether it is up: true or false, never an error.</summary>
[Cmdlet(VerbsDiagnostic.Test, "SbxSession", HelpUri = HelpLinks.Root + "Test-SbxSession.md")]
[OutputType(typeof(bool))]
public sealed class TestSbxSessionCommand : CancellableCmdlet
{
    /// <summary>The sessions to test; the default session when none is given.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true)]
    [ValidateNotNull]
    [SessionArgument]
    [ArgumentCompleter(typeof(SessionNameCompleter))]
    public SbxSession[]? Session { get; set; }

    protected override void ProcessRecord()
    {
        foreach (SbxSession session in Session ?? new[] { SessionResolver.Resolve(this, null) })
        {
            WriteObject(IsHealthy(session));
        }
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

using System;
using System.Management.Automation;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Sessions;

namespace ScaleBox.Sandbox.Infrastructure;

/// <summary>
/// Picks the session a cmdlet works on: the one given, else the newest session of the runspace,
/// else one made from $env:SANDBOX_DOMAIN and $env:ENVD_ACCESS_TOKEN. Ends the cmdlet with a
/// clear error when there is none.
/// </summary>
public static class SessionResolver
{
    public static SbxSession Resolve(PSCmdlet cmdlet, SbxSession? session)
    {
        if (session is not null)
        {
            if (session.IsClosed)
            {
                cmdlet.ThrowTerminatingError(SandboxErrors.Create("SessionClosed", ErrorCategory.InvalidOperation, session,
                    $"The session '{session.Name}' has been removed. Create a new one with New-SbxSession."));
            }
            return session;
        }

        SessionStore store = SessionStore.Current;
        session = store.Default;
        if (session is null)
        {
            try
            {
                session = store.FromEnvironment(SandboxClientOptions.DefaultTimeout);
            }
            catch (ArgumentException e)
            {
                cmdlet.ThrowTerminatingError(SandboxErrors.Create("InvalidEnvironmentSession", ErrorCategory.InvalidArgument,
                    Environment.GetEnvironmentVariable(SessionStore.DomainVariable),
                    $"$env:{SessionStore.DomainVariable} does not hold a usable sandbox domain: {e.Message}", e));
            }
        }
        if (session is null)
        {
            cmdlet.ThrowTerminatingError(SandboxErrors.Create("NoSession", ErrorCategory.InvalidOperation, null,
                $"There is no sandbox session. Create one with New-SbxSession -Domain <sandbox_domain> -AccessToken <envd_access_token>, "
                + $"or set $env:{SessionStore.DomainVariable} and $env:{SessionStore.TokenVariable}."));
        }
        cmdlet.WriteVerbose($"Using session '{session!.Name}' ({session.BaseUri}).");
        return session;
    }
}

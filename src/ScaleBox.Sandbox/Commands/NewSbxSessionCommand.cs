using System;
using System.Management.Automation;
using System.Security;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Infrastructure;
using ScaleBox.Sandbox.Sessions;

namespace ScaleBox.Sandbox.Commands
{
    /// <summary>
    /// Creates a session for one sandbox and makes it the default. Binds by property name from the
    /// backend's sandbox object, so <c>Invoke-RestMethod ... | New-SbxSession</c> works.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "SbxSession", HelpUri = HelpLinks.Root + "New-SbxSession.md")]
    [OutputType(typeof(SbxSession))]
    public sealed class NewSbxSessionCommand : PSCmdlet
    {
        /// <summary>The sandbox domain (sandbox_domain), e.g. sbx-abc.example.scalebox.dev or 127.0.0.1:49983.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("sandbox_domain", "SandboxDomain")]
        [ValidateNotNullOrEmpty]
        public string Domain { get; set; } = string.Empty;

        /// <summary>The sandbox's access token (envd_access_token), as a SecureString or a string.</summary>
        [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
        [Alias("envd_access_token", "EnvdAccessToken")]
        public object? AccessToken { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("sandbox_id")]
        public string? SandboxId { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Name { get; set; }

        [Parameter]
        public SandboxProtocol Protocol { get; set; } = SandboxProtocol.GrpcWeb;

        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int TimeoutSec { get; set; } = (int)SandboxClientOptions.DefaultTimeout.TotalSeconds;

        /// <summary>Allows plain http to a host that is not loopback: the token then crosses the network unencrypted.</summary>
        [Parameter]
        public SwitchParameter AllowUnencryptedAuthentication { get; set; }

        /// <summary>Accepts the server's TLS certificate without checking it (a test gateway's own certificate). Warns each time.</summary>
        [Parameter]
        public SwitchParameter SkipCertificateCheck { get; set; }

        protected override void ProcessRecord()
        {
            SecureString token = ReadToken();
            SessionStore store = SessionStore.Current;
            SbxSession session;
            try
            {
                session = SessionFactory.Create(store.NextId(), Name, SandboxId, Domain, token, Protocol,
                    TimeSpan.FromSeconds(TimeoutSec), AllowUnencryptedAuthentication, SkipCertificateCheck);
            }
            catch (UnencryptedEndpointException e)
            {
                token.Dispose();
                // Same ErrorId as any other refused domain; the message names the parameter that allows it.
                WriteError(SandboxErrors.Create("InvalidDomain", ErrorCategory.InvalidArgument, Domain,
                    $"Plain http to '{e.Host}' would send the access token unencrypted. Use https, or add "
                    + "-AllowUnencryptedAuthentication if the network path to the sandbox is trusted.", e));
                return;
            }
            catch (ArgumentException e)
            {
                token.Dispose();
                WriteError(SandboxErrors.Create("InvalidDomain", ErrorCategory.InvalidArgument, Domain, e.Message, e));
                return;
            }
            if (SkipCertificateCheck)
            {
                WriteWarning($"Session '{session.Name}' does not check the TLS certificate of {session.Domain}: anyone on the network path could pose as the sandbox and read its access token. Use it only for a gateway you trust, such as a test one.");
            }
            store.Add(session);
            WriteVerbose($"Session '{session.Name}' to {session.BaseUri} over {session.Protocol} is now the default.");
            WriteObject(session);
        }

        SecureString ReadToken()
        {
            object? value = AccessToken is PSObject wrapped ? wrapped.BaseObject : AccessToken;
            switch (value)
            {
                case SecureString secure when secure.Length > 0:
                    return secure.Copy();
                case string text when text.Length > 0:
                    return SessionFactory.ToSecureString(text);
                case null:
                case string empty when empty.Length == 0:
                    string? fromEnvironment = Environment.GetEnvironmentVariable(SessionStore.TokenVariable);
                    if (!string.IsNullOrEmpty(fromEnvironment))
                    {
                        return SessionFactory.ToSecureString(fromEnvironment!);
                    }
                    break;
            }
            ThrowTerminatingError(SandboxErrors.Create("AccessTokenRequired", ErrorCategory.InvalidArgument, Domain,
                $"An access token is required: pass -AccessToken (a SecureString or a string, the sandbox's envd_access_token) or set $env:{SessionStore.TokenVariable}."));
            throw new InvalidOperationException(); // not reached: ThrowTerminatingError throws
        }
    }
}

using System;
using System.Management.Automation;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Sessions;

namespace ScaleBox.Sandbox.Infrastructure
{
    /// <summary>
    /// Base of every cmdlet that talks to a sandbox: takes -Session, else the newest session of the
    /// runspace, else one made from $env:SANDBOX_DOMAIN and $env:ENVD_ACCESS_TOKEN.
    /// </summary>
    public abstract class SessionCmdlet : CancellableCmdlet
    {
        SbxSession? _resolved;

        /// <summary>The sandbox to work on. Defaults to the newest session.</summary>
        [Parameter]
        [ValidateNotNull]
        public SbxSession? Session { get; set; }

        protected SbxSession ResolvedSession => _resolved ??= SessionResolver.Resolve(this, Session);

        protected SandboxClient Client => ResolvedSession.Client;

        /// <summary>
        /// Reports a failed call: a per-item error normally, a terminating one when no later item
        /// could succeed either (bad token, unreachable agent).
        /// </summary>
        protected void WriteSandboxError(SandboxException error, object? target = null)
        {
            ErrorRecord record = SandboxErrors.ToErrorRecord(error, target);
            if (SandboxErrors.IsFatal(error))
            {
                ThrowTerminatingError(record);
            }
            WriteError(record);
        }
    }
}

using System.Management.Automation;
using ScaleBox.Sandbox.Client.Code;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Code;
using ScaleBox.Sandbox.Infrastructure;

namespace ScaleBox.Sandbox.Commands;

/// <summary>Shuts code contexts down in the sandbox, freeing their interpreters, and forgets them.</summary>
[Cmdlet(VerbsCommon.Remove, "SbxCodeContext", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, HelpUri = HelpLinks.Root + "Remove-SbxCodeContext.md")]
public sealed class RemoveSbxCodeContextCommand : SessionCmdlet
{
    /// <summary>Context objects (from New- or Get-SbxCodeContext) or ids.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    [ValidateNotNull]
    [ArgumentCompleter(typeof(CodeContextCompleter))]
    public object[] Context { get; set; } = new object[0];

    protected override void ProcessRecord()
    {
        foreach (object value in Context)
        {
            string? id = CodeContextArgument.IdOf(value);
            if (string.IsNullOrEmpty(id) || !ShouldProcess($"code context {id}", "Remove"))
            {
                continue;
            }
            try
            {
                Wait(Client.Code.RemoveContextAsync(id!, CancelToken));
                ResolvedSession.CodeContexts.TryRemove(id!, out SandboxCodeContext? _);
            }
            catch (SandboxException e)
            {
                if (e.Code == SandboxErrorCode.NotFound)
                {
                    ResolvedSession.CodeContexts.TryRemove(id!, out SandboxCodeContext? _);
                }
                WriteSandboxError(e, id);
            }
        }
    }
}

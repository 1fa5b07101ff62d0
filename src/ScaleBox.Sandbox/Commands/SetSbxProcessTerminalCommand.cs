using System.Management.Automation;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Processes;
using ScaleBox.Sandbox.Processes;
using ScaleBox.Sandbox.Infrastructure;

namespace ScaleBox.Sandbox.Commands;

/// <summary>Resizes a sandbox process's terminal; the process sees SIGWINCH and the new size.</summary>
[Cmdlet(VerbsCommon.Set, "SbxProcessTerminal", DefaultParameterSetName = PidSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, HelpUri = HelpLinks.Root + "Set-SbxProcessTerminal.md")]
public sealed class SetSbxProcessTerminalCommand : ProcessCmdlet
{
    [Parameter(Mandatory = true)]
    [ValidateRange(1, 65535)]
    public int Columns { get; set; }

    [Parameter(Mandatory = true)]
    [ValidateRange(1, 65535)]
    public int Rows { get; set; }

    protected override void ProcessRecord()
    {
        var size = new SandboxTerminalSize(Columns, Rows);
        foreach (SandboxProcessSelector selector in Selectors())
        {
            if (!ShouldProcess(selector.ToString(), $"Resize terminal to {size}"))
            {
                continue;
            }
            try
            {
                Wait(Client.Processes.ResizeAsync(selector, size, CancelToken));
            }
            catch (SandboxException e)
            {
                WriteSandboxError(e, selector.ToString());
            }
        }
    }
}

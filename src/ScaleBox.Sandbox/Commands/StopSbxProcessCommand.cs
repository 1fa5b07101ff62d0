using System.Management.Automation;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Processes;
using ScaleBox.Sandbox.Processes;
using ScaleBox.Sandbox.Infrastructure;

namespace ScaleBox.Sandbox.Commands;

/// <summary>Stops sandbox processes: SIGTERM, or SIGKILL with -Force.</summary>
[Cmdlet(VerbsLifecycle.Stop, "SbxProcess", DefaultParameterSetName = PidSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.Root + "Stop-SbxProcess.md")]
public sealed class StopSbxProcessCommand : ProcessCmdlet
{
    /// <summary>Kills at once (SIGKILL) instead of asking the process to end (SIGTERM).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        SandboxSignal signal = Force ? SandboxSignal.Kill : SandboxSignal.Terminate;
        foreach (SandboxProcessSelector selector in Selectors())
        {
            if (!ShouldProcess(selector.ToString(), Force ? "Kill (SIGKILL)" : "Stop (SIGTERM)"))
            {
                continue;
            }
            try
            {
                Wait(Client.Processes.SendSignalAsync(selector, signal, CancelToken));
            }
            catch (SandboxException e)
            {
                WriteSandboxError(e, selector.ToString());
            }
        }
    }
}

using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Processes;
using ScaleBox.Sandbox.Processes;
using ScaleBox.Sandbox.Infrastructure;

namespace ScaleBox.Sandbox.Commands;

/// <summary>Stops sandbox processes: SIGTERM, or SIGKILL with -Force.</summary>
[Cmdlet(VerbsLifecycle.Stop, "SbxProcess", DefaultParameterSetName = PidSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.Root + "Stop-SbxProcess.md")]
[OutputType(typeof(SandboxProcessInfo))]
public sealed class StopSbxProcessCommand : ProcessCmdlet
{
    /// <summary>Kills at once (SIGKILL) instead of asking the process to end (SIGTERM).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Writes the process object of each process signalled, as Stop-Process -PassThru does.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        SandboxSignal signal = Force ? SandboxSignal.Kill : SandboxSignal.Terminate;
        Dictionary<SandboxProcessSelector, SandboxProcessInfo>? signalled = PassThru ? ProcessesToPassOn() : null;
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
                continue;
            }
            if (signalled is not null && signalled.TryGetValue(selector, out SandboxProcessInfo? process))
            {
                WriteObject(process);
            }
        }
    }

    /// <summary>
    /// The process object each selector names, taken before any signal (an ended process leaves
    /// the listing). Piped objects are passed on as they came; a pid or tag is looked up in one
    /// listing, a tag that several processes share as the first started of them (the one the agent
    /// signals; pids grow with each start).
    /// </summary>
    Dictionary<SandboxProcessSelector, SandboxProcessInfo> ProcessesToPassOn()
    {
        if (ParameterSetName == InputObjectSet)
        {
            return InputObject.GroupBy(p => p.Selector).ToDictionary(g => g.Key, g => g.First());
        }
        SandboxProcessInfo[] running;
        try
        {
            running = Wait(Client.Processes.ListAsync(CancelToken)).OrderBy(p => p.Pid).ToArray();
        }
        catch (SandboxException)
        {
            // The signals below meet the same failure and report it, once per process.
            return new Dictionary<SandboxProcessSelector, SandboxProcessInfo>();
        }
        var found = new Dictionary<SandboxProcessSelector, SandboxProcessInfo>();
        foreach (SandboxProcessSelector selector in Selectors())
        {
            SandboxProcessInfo? match = selector.Pid is uint pid
                ? running.FirstOrDefault(p => p.Pid == pid)
                : running.FirstOrDefault(p => p.Tag == selector.Tag);
            if (match is not null)
            {
                found[selector] = match;
            }
        }
        return found;
    }
}

using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Processes;
using ScaleBox.Sandbox.Infrastructure;
using ScaleBox.Sandbox.Processes;

namespace ScaleBox.Sandbox.Commands;

/// <summary>Waits for sandbox processes to end and returns their exit records, as Wait-Process does locally.</summary>
[Cmdlet(VerbsLifecycle.Wait, "SbxProcess", DefaultParameterSetName = PidSet, HelpUri = HelpLinks.Root + "Wait-SbxProcess.md")]
[OutputType(typeof(SandboxProcessExit))]
public sealed class WaitSbxProcessCommand : ProcessCmdlet
{
    /// <summary>Seconds to wait for each process; 0 (the default) waits as long as it takes. The process is not stopped.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int TimeoutSec { get; set; }

    /// <summary>Makes a non-zero exit code or a signal an error, so -ErrorAction Stop ends a script.</summary>
    [Parameter]
    public SwitchParameter CheckExitCode { get; set; }

    protected override void ProcessRecord()
    {
        foreach (SandboxProcessSelector selector in Selectors())
        {
            try
            {
                SandboxProcessExit exit = Wait(WaitAsync(selector));
                WriteObject(exit);
                if (CheckExitCode && !exit.Succeeded)
                {
                    WriteError(ProcessEventRenderer.FailedExit(exit));
                }
            }
            catch (TimeoutException e)
            {
                WriteError(new ErrorRecord(e, "WaitTimeout", ErrorCategory.OperationTimeout, selector.ToString()));
            }
            catch (SandboxException e)
            {
                WriteSandboxError(e, selector.ToString());
            }
        }
    }

    async Task<SandboxProcessExit> WaitAsync(SandboxProcessSelector selector)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(CancelToken);
        if (TimeoutSec > 0)
        {
            limit.CancelAfter(TimeSpan.FromSeconds(TimeoutSec));
        }
        try
        {
            return await Client.Processes.WaitAsync(selector, limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!CancelToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The sandbox process {selector} did not end within {TimeoutSec} s; it is still running.");
        }
    }
}

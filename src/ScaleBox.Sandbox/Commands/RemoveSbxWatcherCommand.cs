using System.Management.Automation;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Watch;
using ScaleBox.Sandbox.Infrastructure;

namespace ScaleBox.Sandbox.Commands;

/// <summary>Ends watchers made by New-SbxWatcher; the changes they still hold are dropped.</summary>
[Cmdlet(VerbsCommon.Remove, "SbxWatcher", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, HelpUri = HelpLinks.Root + "Remove-SbxWatcher.md")]
public sealed class RemoveSbxWatcherCommand : SessionCmdlet
{
    /// <summary>The watchers to end.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNull]
    public SandboxWatcher[] Watcher { get; set; } = new SandboxWatcher[0];

    protected override void ProcessRecord()
    {
        foreach (SandboxWatcher watcher in Watcher)
        {
            if (!ShouldProcess($"watcher {watcher.Id} of {watcher.Path}", "Remove"))
            {
                continue;
            }
            try
            {
                Wait(Client.Watchers.RemoveAsync(watcher, CancelToken));
            }
            catch (SandboxException e)
            {
                WriteSandboxError(e, watcher);
            }
        }
    }
}

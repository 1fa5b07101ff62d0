using System.Management.Automation;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Watch;
using ScaleBox.Sandbox.Infrastructure;

namespace ScaleBox.Sandbox.Commands;

/// <summary>
/// Makes a watcher that the sandbox agent keeps: it gathers the directory's changes until
/// Get-SbxWatcherEvent -Watcher drains them, and lives until Remove-SbxWatcher.
/// </summary>
[Cmdlet(VerbsCommon.New, "SbxWatcher", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, HelpUri = HelpLinks.Root + "New-SbxWatcher.md")]
[OutputType(typeof(SandboxWatcher))]
public sealed class NewSbxWatcherCommand : SessionCmdlet
{
    /// <summary>The sandbox directory to watch.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "FullName")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SandboxPathCompleter))]
    public string Path { get; set; } = string.Empty;

    /// <summary>Watch subdirectories too, including ones created later.</summary>
    [Parameter]
    public SwitchParameter Recurse { get; set; }

    protected override void ProcessRecord()
    {
        // A watcher is state the agent keeps (an inotify instance) until Remove-SbxWatcher.
        if (!ShouldProcess(Path, Recurse ? "Create watcher (with subdirectories)" : "Create watcher"))
        {
            return;
        }
        try
        {
            WriteObject(Wait(Client.Watchers.CreateAsync(Path, Recurse, CancelToken)));
        }
        catch (SandboxException e)
        {
            WriteSandboxError(e, Path);
        }
    }
}

using System.Management.Automation;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Infrastructure;

namespace ScaleBox.Sandbox.Commands;

/// <summary>
/// Moves or renames sandbox items, as Move-Item does locally: a destination that is an existing
/// directory receives the item; an existing file is replaced only with -Force.
/// </summary>
[Cmdlet(VerbsCommon.Move, "SbxItem", DefaultParameterSetName = PathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.Root + "Move-SbxItem.md")]
[OutputType(typeof(SandboxItem))]
public sealed class MoveSbxItemCommand : ItemCmdlet
{
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SandboxPathCompleter))]
    public string Destination { get; set; } = string.Empty;

    /// <summary>Replaces an existing file at the destination.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Returns the moved item.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        foreach (SandboxItem item in SelectedItems())
        {
            Move(item);
        }
    }

    void Move(SandboxItem item)
    {
        try
        {
            string target = Destination;
            SandboxItem? existing = TryGet(target);
            if (existing is { IsDirectory: true })
            {
                target = SandboxPath.Join(existing.Path, item.Name);
                existing = TryGet(target);
            }
            if (existing is not null && (existing.IsDirectory || !Force))
            {
                WriteError(SandboxErrors.Create("DestinationExists", ErrorCategory.ResourceExists, target,
                    existing.IsDirectory
                        ? $"Cannot move '{item.Path}': a directory already exists at '{target}'."
                        : $"Cannot move '{item.Path}': '{target}' already exists. Use -Force to replace it."));
                return;
            }
            if (!ShouldProcess($"Item: {item.Path} Destination: {target}", "Move item"))
            {
                return;
            }
            SandboxItem moved = Wait(Client.Files.MoveAsync(item.Path, target, CancelToken));
            if (PassThru)
            {
                // The agent's answer, when whole; an agent may give only name, type and path.
                WriteObject(ReportedEntry.IfWhole(moved) ?? Wait(Client.Files.GetItemAsync(target, CancelToken)));
            }
        }
        catch (SandboxException e)
        {
            WriteSandboxError(e, item.Path);
        }
    }

    SandboxItem? TryGet(string path)
    {
        try
        {
            return Wait(Client.Files.GetItemAsync(path, CancelToken));
        }
        catch (SandboxException e) when (e.Code == SandboxErrorCode.NotFound)
        {
            return null;
        }
    }
}

using System.Management.Automation;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Infrastructure;

namespace ScaleBox.Sandbox.Commands;

/// <summary>
/// Deletes sandbox files and directories, as Remove-Item does locally: a directory that is not
/// empty needs -Recurse, and a missing path is an error.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "SbxItem", DefaultParameterSetName = PathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.Root + "Remove-SbxItem.md")]
public sealed class RemoveSbxItemCommand : ItemCmdlet
{
    /// <summary>Removes directories with everything in them.</summary>
    [Parameter]
    public SwitchParameter Recurse { get; set; }

    protected override void ProcessRecord()
    {
        foreach (SandboxItem item in SelectedItems())
        {
            Remove(item);
        }
    }

    void Remove(SandboxItem item)
    {
        try
        {
            bool isRealDirectory = item.IsDirectory && item.LinkTarget is null;
            if (isRealDirectory && !Recurse && Wait(Client.Files.GetChildItemsAsync(item.Path, 1, CancelToken)).Count > 0)
            {
                WriteError(SandboxErrors.Create("DirectoryNotEmpty", ErrorCategory.WriteError, item.Path,
                    $"The directory '{item.Path}' is not empty. Use -Recurse to remove it with everything in it."));
                return;
            }
            string action = isRealDirectory ? "Remove directory" : "Remove file";
            if (ShouldProcess(item.Path, action))
            {
                Wait(Client.Files.RemoveAsync(item.Path, CancelToken));
            }
        }
        catch (SandboxException e)
        {
            WriteSandboxError(e, item.Path);
        }
    }
}

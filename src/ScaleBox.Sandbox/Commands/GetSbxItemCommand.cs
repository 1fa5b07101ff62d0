using System.Management.Automation;
using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Infrastructure;

namespace ScaleBox.Sandbox.Commands;

/// <summary>Gets files and directories in the sandbox by path, as Get-Item does locally.</summary>
[Cmdlet(VerbsCommon.Get, "SbxItem", DefaultParameterSetName = PathSet, HelpUri = HelpLinks.Root + "Get-SbxItem.md")]
[OutputType(typeof(SandboxItem))]
public sealed class GetSbxItemCommand : ItemLookupCmdlet
{
    /// <summary>Like Get-Item, a piped item comes back as the sandbox has it now.</summary>
    protected override bool RefreshesInputObjects => true;

    protected override void WriteLookup(ItemLookup lookup)
    {
        if (lookup.Error is { } error)
        {
            WriteSandboxError(error, lookup.Path);
            return;
        }
        foreach (SandboxItem item in lookup.Items)
        {
            WriteObject(item);
        }
    }
}

using System.Linq;
using System.Management.Automation;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Infrastructure;

namespace ScaleBox.Sandbox.Commands;

/// <summary>
/// Tells whether sandbox paths exist (and are of a kind), one boolean per path, as Test-Path
/// does locally: a wildcard path is true when anything matches it.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "SbxPath", DefaultParameterSetName = PathSet, HelpUri = HelpLinks.Root + "Test-SbxPath.md")]
[OutputType(typeof(bool))]
public sealed class TestSbxPathCommand : ItemLookupCmdlet
{
    [Parameter]
    [Alias("Type")]
    public SbxPathType PathType { get; set; } = SbxPathType.Any;

    protected override void WriteLookup(ItemLookup lookup)
    {
        if (lookup.Error is { Code: SandboxErrorCode.NotFound })
        {
            WriteObject(false);
        }
        else if (lookup.Error is { } error)
        {
            WriteSandboxError(error, lookup.Path);
        }
        else
        {
            WriteObject(lookup.Items.Any(IsOfType));
        }
    }

    bool IsOfType(SandboxItem item) => PathType switch
    {
        SbxPathType.Container => item.IsDirectory,
        SbxPathType.Leaf => !item.IsDirectory,
        _ => true,
    };
}

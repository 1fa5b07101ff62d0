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
public sealed class TestSbxPathCommand : ItemCmdlet
{
    [Parameter]
    [Alias("Type")]
    public SbxPathType PathType { get; set; } = SbxPathType.Any;

    protected override void ProcessRecord()
    {
        if (ParameterSetName == InputObjectSet)
        {
            foreach (SandboxItem item in InputObject)
            {
                Test(item.Path, literal: true);
            }
            return;
        }
        bool literal = ParameterSetName == LiteralPathSet;
        foreach (string path in literal ? LiteralPath : Path)
        {
            Test(path, literal);
        }
    }

    void Test(string path, bool literal)
    {
        try
        {
            WriteObject(FindItems(path, literal).Any(IsOfType));
        }
        catch (SandboxException e) when (e.Code == SandboxErrorCode.NotFound)
        {
            WriteObject(false);
        }
        catch (SandboxException e)
        {
            WriteSandboxError(e, path);
        }
    }

    bool IsOfType(SandboxItem item) => PathType switch
    {
        SbxPathType.Container => item.IsDirectory,
        SbxPathType.Leaf => !item.IsDirectory,
        _ => true,
    };
}

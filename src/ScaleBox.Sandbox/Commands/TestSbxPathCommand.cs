using System.Management.Automation;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Infrastructure;

namespace ScaleBox.Sandbox.Commands
{
    /// <summary>Tells whether sandbox paths exist (and are of a kind), one boolean per path, as Test-Path does locally.</summary>
    [Cmdlet(VerbsDiagnostic.Test, "SbxPath")]
    [OutputType(typeof(bool))]
    public sealed class TestSbxPathCommand : SessionCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("PSPath", "FullName", "LiteralPath")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(SandboxPathCompleter))]
        public string[] Path { get; set; } = new string[0];

        [Parameter]
        [Alias("Type")]
        public SbxPathType PathType { get; set; } = SbxPathType.Any;

        protected override void ProcessRecord()
        {
            foreach (string path in Path)
            {
                try
                {
                    SandboxItem item = Wait(Client.Files.GetItemAsync(path, CancelToken));
                    WriteObject(PathType switch
                    {
                        SbxPathType.Container => item.IsDirectory,
                        SbxPathType.Leaf => !item.IsDirectory,
                        _ => true,
                    });
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
        }
    }
}

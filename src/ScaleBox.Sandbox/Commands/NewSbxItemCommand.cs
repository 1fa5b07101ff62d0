using System.Management.Automation;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Infrastructure;

namespace ScaleBox.Sandbox.Commands
{
    /// <summary>Creates directories in the sandbox (parents included) and returns them, as New-Item does locally.</summary>
    [Cmdlet(VerbsCommon.New, "SbxItem", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(SandboxItem))]
    public sealed class NewSbxItemCommand : SessionCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("PSPath", "FullName")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(SandboxPathCompleter))]
        public string[] Path { get; set; } = new string[0];

        [Parameter(Mandatory = true)]
        [ValidateSet("Directory", IgnoreCase = true)]
        [Alias("Type")]
        public string ItemType { get; set; } = "Directory";

        /// <summary>Returns an existing directory instead of failing.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void ProcessRecord()
        {
            foreach (string path in Path)
            {
                if (!ShouldProcess(path, "Create directory"))
                {
                    continue;
                }
                try
                {
                    WriteObject(Wait(Client.Files.CreateDirectoryAsync(path, CancelToken)));
                }
                catch (SandboxException e) when (e.Code == SandboxErrorCode.AlreadyExists && Force)
                {
                    WriteObject(Wait(Client.Files.GetItemAsync(path, CancelToken)));
                }
                catch (SandboxException e)
                {
                    WriteSandboxError(e, path);
                }
            }
        }
    }
}

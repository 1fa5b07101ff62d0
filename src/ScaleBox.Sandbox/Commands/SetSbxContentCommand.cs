using System.IO;
using System.Management.Automation;
using System.Threading.Tasks;
using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Client.Transfer;
using ScaleBox.Sandbox.Infrastructure;

namespace ScaleBox.Sandbox.Commands;

/// <summary>Writes text or bytes to a sandbox file, replacing it, as Set-Content does.</summary>
[Cmdlet(VerbsCommon.Set, "SbxContent", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.Root + "Set-SbxContent.md")]
[OutputType(typeof(SandboxItem))]
public sealed class SetSbxContentCommand : ContentWriterCmdlet
{
    protected override string Action => "Set content";

    protected override Task<SandboxUploadResult> Send(Stream content, string path) =>
        Client.Transfer.UploadAsync(content, path, null, CancelToken);
}

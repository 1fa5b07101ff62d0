using System.IO;
using System.Management.Automation;
using System.Threading.Tasks;
using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Client.Transfer;
using ScaleBox.Sandbox.Infrastructure;

namespace ScaleBox.Sandbox.Commands;

/// <summary>
/// Adds text or bytes to the end of a sandbox file, creating it when missing, as Add-Content
/// does. The content is uploaded beside the file and appended by the sandbox's shell.
/// </summary>
[Cmdlet(VerbsCommon.Add, "SbxContent", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, HelpUri = HelpLinks.Root + "Add-SbxContent.md")]
[OutputType(typeof(SandboxItem))]
public sealed class AddSbxContentCommand : ContentWriterCmdlet
{
    protected override string Action => "Add content";

    /// <summary>
    /// The byte order mark goes only to a file that is new or empty, as Add-Content writes it: not
    /// into the middle of a file.
    /// </summary>
    protected override Task<SandboxUploadResult> Send(Stream content, string path)
    {
        content.Position = Preamble.Length;
        return Client.Transfer.AppendAsync(content, path, Preamble, CancelToken);
    }
}

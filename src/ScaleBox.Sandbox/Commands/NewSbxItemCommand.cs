using System;
using System.IO;
using System.Management.Automation;
using System.Text;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Client.Transfer;
using ScaleBox.Sandbox.Infrastructure;

namespace ScaleBox.Sandbox.Commands;

/// <summary>
/// Creates directories or files in the sandbox (parents included) and returns them, as New-Item
/// does locally.
/// </summary>
[Cmdlet(VerbsCommon.New, "SbxItem", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.Root + "New-SbxItem.md")]
[OutputType(typeof(SandboxItem))]
public sealed class NewSbxItemCommand : SessionCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "FullName")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SandboxPathCompleter))]
    public string[] Path { get; set; } = new string[0];

    /// <summary>Directory or File; a file when not given, as New-Item makes one.</summary>
    [Parameter]
    [ValidateSet("Directory", "File", IgnoreCase = true)]
    [Alias("Type")]
    public string ItemType { get; set; } = "File";

    /// <summary>The content of a new file, written as UTF-8 text (bytes are written as they are).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Target")]
    public object? Value { get; set; }

    /// <summary>Returns an existing directory instead of failing; replaces an existing file.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    bool IsFile => string.Equals(ItemType, "File", StringComparison.OrdinalIgnoreCase);


    protected override void ProcessRecord()
    {
        // Checked per record: -Value may arrive from the pipeline.
        if (Value is not null && !IsFile)
        {
            ThrowTerminatingError(SandboxErrors.Create("ValueNeedsFile", ErrorCategory.InvalidArgument, Value,
                "-Value gives a file its content; it needs -ItemType File."));
        }
        foreach (string path in Path)
        {
            if (!ShouldProcess(path, IsFile ? "Create file" : "Create directory"))
            {
                continue;
            }
            if (IsFile)
            {
                CreateFile(path);
                continue;
            }
            try
            {
                SandboxItem made = Wait(Client.Files.CreateDirectoryAsync(path, CancelToken));
                // The agent's answer, when whole; an agent may give only name, type and path.
                WriteObject(ReportedEntry.IfWhole(made) ?? Wait(Client.Files.GetItemAsync(path, CancelToken)));
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

    void CreateFile(string path)
    {
        try
        {
            SandboxItem? existing = Wait(Client.Files.TryGetItemAsync(path, CancelToken));
            if (existing is { IsDirectory: true })
            {
                WriteError(SandboxErrors.Create("AlreadyExists", ErrorCategory.ResourceExists, path,
                    $"'{path}' is a directory in the sandbox; a file cannot replace it."));
                return;
            }
            if (existing is not null && !Force)
            {
                WriteError(SandboxErrors.Create("AlreadyExists", ErrorCategory.ResourceExists, path,
                    $"'{path}' already exists in the sandbox. Use -Force to replace it."));
                return;
            }
            using var content = new MemoryStream(ContentBytes());
            SandboxUploadResult written = Wait(Client.Transfer.UploadAsync(content, path, null, CancelToken));
            // The agent's answer to the rename, when whole, saves asking for the item again.
            WriteObject(written.Item ?? Wait(Client.Files.GetItemAsync(written.Path, CancelToken)));
        }
        catch (SandboxException e)
        {
            WriteSandboxError(e, path);
        }
    }

    byte[] ContentBytes()
    {
        object? value = Value is PSObject wrapped ? wrapped.BaseObject : Value;
        return value switch
        {
            null => new byte[0],
            byte[] bytes => bytes,
            _ => new UTF8Encoding(false).GetBytes(LanguagePrimitives.ConvertTo<string>(value) ?? string.Empty),
        };
    }
}

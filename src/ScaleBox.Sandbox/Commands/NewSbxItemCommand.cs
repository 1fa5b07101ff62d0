using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Client.Transfer;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Infrastructure;

namespace ScaleBox.Sandbox.Commands;

/// <summary>
/// Creates directories or files in the sandbox (parents included) and returns them, as New-Item
/// does locally.
/// </summary>
/// <remarks>
/// Many paths (piped, or given as an array) are created -ThrottleLimit at a time, each written in
/// the order the paths came. A path that is, holds or lies inside one still being created waits for
/// the creations before it, since making "a/b" makes "a" too.
/// </remarks>
[Cmdlet(VerbsCommon.New, "SbxItem", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.Root + "New-SbxItem.md")]
[OutputType(typeof(SandboxItem))]
public sealed class NewSbxItemCommand : SessionCmdlet
{
    OrderedPipelineWindow<ItemOutcome>? _creations;

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

    /// <summary>
    /// How many items are created at once (1 to 64; default 16): each creation is a few round trips,
    /// so many paths piped in go several times faster with several in flight.
    /// </summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = ItemLookupCmdlet.DefaultThrottleLimit;

    bool IsFile => string.Equals(ItemType, "File", StringComparison.OrdinalIgnoreCase);

    protected override void ProcessRecord()
    {
        // Checked per record: -Value may arrive from the pipeline.
        if (Value is not null && !IsFile)
        {
            _creations?.WriteAll(); // the items of earlier records are made before this stops the cmdlet
            ThrowTerminatingError(SandboxErrors.Create("ValueNeedsFile", ErrorCategory.InvalidArgument, Value,
                "-Value gives a file its content; it needs -ItemType File."));
        }
        _creations ??= new OrderedPipelineWindow<ItemOutcome>(ThrottleLimit, CancelToken, Wait, WriteOutcome);
        // Read now: the next record may bring another -Value.
        byte[]? content = IsFile ? ContentBytes() : null;
        SandboxClient client = Client;
        bool force = Force;
        foreach (string path in Path)
        {
            if (!ShouldProcess(path, IsFile ? "Create file" : "Create directory"))
            {
                continue;
            }
            _creations.WriteAllIfMeeting(path);
            _creations.Add(cancel => content is not null
                ? CreateFileAsync(client, path, content, force, cancel)
                : CreateDirectoryAsync(client, path, force, cancel), path);
        }
        _creations.WriteFinished();
    }

    protected override void EndProcessing() => _creations?.WriteAll();

    protected override void DisposeResources()
    {
        _creations?.Dispose();
        base.DisposeResources();
    }

    static async Task<ItemOutcome> CreateDirectoryAsync(SandboxClient client, string path, bool force, CancellationToken cancellationToken)
    {
        try
        {
            SandboxItem made;
            try
            {
                made = await client.Files.CreateDirectoryAsync(path, cancellationToken).ConfigureAwait(false);
            }
            catch (SandboxException e) when (e.Code == SandboxErrorCode.AlreadyExists && force)
            {
                return ItemOutcome.Done(path, await client.Files.GetItemAsync(path, cancellationToken).ConfigureAwait(false));
            }
            // The agent's answer, when whole; an agent may give only name, type and path.
            return ItemOutcome.Done(path, ReportedEntry.IfWhole(made) ?? await client.Files.GetItemAsync(path, cancellationToken).ConfigureAwait(false));
        }
        catch (SandboxException e)
        {
            return ItemOutcome.Failed(path, e);
        }
    }

    /// <remarks>
    /// Two round trips: the upload, with the name looked at alongside it unless -Force (the client
    /// library refuses what it finds there before the rename), then the rename. A directory in the
    /// way fails the upload (InvalidArgument); only then is the name looked at, to refuse it in the
    /// same words with or without -Force.
    /// </remarks>
    static async Task<ItemOutcome> CreateFileAsync(SandboxClient client, string path, byte[] content, bool force, CancellationToken cancellationToken)
    {
        try
        {
            using var stream = new MemoryStream(content);
            SandboxUploadResult written;
            try
            {
                written = await client.Transfer.UploadAsync(stream, path, new SandboxUploadOptions { Overwrite = force }, null, cancellationToken).ConfigureAwait(false);
            }
            catch (SandboxException e) when (e.Code == SandboxErrorCode.AlreadyExists && !force)
            {
                return ItemOutcome.Refused(path, SandboxErrors.Create("AlreadyExists", ErrorCategory.ResourceExists, path,
                    $"'{path}' already exists in the sandbox. Use -Force to replace it."));
            }
            catch (SandboxException e) when (e.Code == SandboxErrorCode.InvalidArgument)
            {
                // How the library reports a directory there, among other things: looked at to tell.
                if (await client.Files.TryGetItemAsync(path, cancellationToken).ConfigureAwait(false) is { IsDirectory: true })
                {
                    return ItemOutcome.Refused(path, DirectoryInTheWay(path));
                }
                throw;
            }
            // The agent's answer to the rename, when whole, saves asking for the item again.
            return ItemOutcome.Done(path, written.Item ?? await client.Files.GetItemAsync(written.Path, cancellationToken).ConfigureAwait(false));
        }
        catch (SandboxException e)
        {
            return ItemOutcome.Failed(path, e);
        }
    }

    static ErrorRecord DirectoryInTheWay(string path) =>
        SandboxErrors.Create("AlreadyExists", ErrorCategory.ResourceExists, path, $"'{path}' is a directory in the sandbox; a file cannot replace it.");

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

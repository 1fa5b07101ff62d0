using System;
using System.Collections;
using System.IO;
using System.Management.Automation;
using System.Text;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Client.Transfer;

namespace ScaleBox.Sandbox.Infrastructure;

/// <summary>
/// Base of Set-SbxContent and Add-SbxContent: pipeline input is spooled to a local temporary
/// file as it comes and sent once complete, so memory stays flat and the sandbox never sees a
/// half-written file. The two differ only in what they do with the spool at the end.
/// </summary>
public abstract class ContentWriterCmdlet : SessionCmdlet
{
    FileStream? _spool;
    TextWriter? _text;

    /// <summary>
    /// The sandbox file to write; its parent directories are created. Not bound from the
    /// pipeline: the pipeline carries the content, which goes to every path once complete.
    /// </summary>
    [Parameter(Mandatory = true, Position = 0)]
    [Alias("FullName", "PSPath", "LiteralPath")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SandboxPathCompleter))]
    public string[] Path { get; set; } = new string[0];

    /// <summary>What to write: objects become lines of text; with -AsByteStream, bytes or byte arrays.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipeline = true)]
    [AllowEmptyCollection]
    [AllowNull]
    [AllowEmptyString]
    public object?[] Value { get; set; } = new object?[0];

    [Parameter]
    [ArgumentCompleter(typeof(EncodingNameCompleter))]
    public string Encoding { get; set; } = "utf8NoBOM";

    /// <summary>Writes the values as bytes: each value must be a byte or a byte array.</summary>
    [Parameter]
    public SwitchParameter AsByteStream { get; set; }

    /// <summary>Writes values one after the other, without a newline after each.</summary>
    [Parameter]
    public SwitchParameter NoNewline { get; set; }

    /// <summary>Returns the written file.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void BeginProcessing()
    {
        Encoding encoding;
        try
        {
            encoding = TextEncodings.Resolve(Encoding);
        }
        catch (ArgumentException e)
        {
            ThrowTerminatingError(new ErrorRecord(e, "InvalidEncoding", ErrorCategory.InvalidArgument, Encoding));
            return;
        }
        // Bytes are written as they are; text starts with its encoding's byte order mark, if it has one.
        Preamble = AsByteStream ? new byte[0] : encoding.GetPreamble();
        string spoolPath = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sbx-content-" + Guid.NewGuid().ToString("N"));
        _spool = new FileStream(spoolPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose);
        if (!AsByteStream)
        {
            // The sandbox is Linux: lines end in LF whatever the local platform.
            _text = new StreamWriter(_spool, encoding, 81920, leaveOpen: true) { NewLine = "\n" };
        }
    }

    protected override void ProcessRecord()
    {
        foreach (object? value in Value)
        {
            if (AsByteStream)
            {
                WriteBytes(value is PSObject wrapped ? wrapped.BaseObject : value);
            }
            else if (NoNewline)
            {
                _text!.Write(ToText(value));
            }
            else
            {
                _text!.WriteLine(ToText(value));
            }
        }
    }

    protected override void EndProcessing()
    {
        _text?.Flush();
        foreach (string path in Path)
        {
            if (!ShouldProcess(path, Action))
            {
                continue;
            }
            _spool!.Position = 0;
            try
            {
                SandboxUploadResult result = Wait(Send(_spool, path));
                WriteVerbose($"Wrote {result.Length} bytes to {result.Path}.");
                if (PassThru)
                {
                    // A replaced file is the agent's answer to the rename; an appended one is asked for.
                    WriteObject(result.Item ?? Wait(Client.Files.GetItemAsync(result.Path, CancelToken)));
                }
            }
            catch (SandboxException e)
            {
                WriteSandboxError(e, path);
            }
            catch (ArgumentException e)
            {
                // A path the upload cannot even carry (a NUL character, say): the caller's mistake.
                WriteError(new ErrorRecord(e, "InvalidPath", ErrorCategory.InvalidArgument, path));
            }
        }
    }

    void WriteBytes(object? value)
    {
        switch (value)
        {
            case byte single:
                _spool!.WriteByte(single);
                break;
            case byte[] array:
                _spool!.Write(array, 0, array.Length);
                break;
            case IEnumerable sequence when !(value is string):
                foreach (object? element in sequence)
                {
                    WriteBytes(element is PSObject wrapped ? wrapped.BaseObject : element);
                }
                break;
            default:
                ThrowTerminatingError(SandboxErrors.Create("NotBytes", ErrorCategory.InvalidType, value,
                    $"With -AsByteStream every value must be a byte or a byte array, not {(value is null ? "null" : value.GetType().Name)}."));
                break;
        }
    }

    /// <summary>
    /// A value's text as Set-Content writes it. Converted wrapped: a [pscustomobject] is text only
    /// through its PSObject ("@{Name=x; Id=1}"); its base object converts to an empty string.
    /// </summary>
    static string ToText(object? value) =>
        value is null ? string.Empty : LanguagePrimitives.ConvertTo<string>(value) ?? string.Empty;

    /// <summary>The spool deletes itself when closed, whether the cmdlet finished or was stopped.</summary>
    protected override void DisposeResources()
    {
        _text?.Dispose();
        _spool?.Dispose();
    }

    /// <summary>The byte order mark the spooled content starts with (none for most encodings, and for -AsByteStream).</summary>
    protected byte[] Preamble { get; private set; } = new byte[0];

    /// <summary>The ShouldProcess action: "Set content" or "Add content".</summary>
    protected abstract string Action { get; }

    /// <summary>Sends the spooled content, from its start (<see cref="Preamble"/> included), to one sandbox path.</summary>
    protected abstract System.Threading.Tasks.Task<SandboxUploadResult> Send(Stream content, string path);
}

using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ScaleBox.Sandbox.Client.Code;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Code;
using ScaleBox.Sandbox.Infrastructure;

namespace ScaleBox.Sandbox.Commands;

/// <summary>
/// Runs code in the sandbox's interpreter (a Jupyter kernel for Python, bash, node...) and
/// writes what it prints, as lines, and what it returns or displays, as result objects, while
/// it runs. An exception in the code is an ErrorRecord. Ctrl+C interrupts the code; the
/// context keeps its state.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "SbxCode", DefaultParameterSetName = CodeSet, HelpUri = HelpLinks.Root + "Invoke-SbxCode.md")]
[OutputType(typeof(string), typeof(SandboxCodeResult), typeof(FileInfo))]
public sealed class InvokeSbxCodeCommand : SessionCmdlet
{
    const string CodeSet = "Code";
    const string PathSet = "Path";

    /// <summary>The code to run. Several strings from the pipeline are joined into one program.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = CodeSet)]
    [AllowEmptyString]
    public string Code { get; set; } = string.Empty;

    /// <summary>A local script file to run; its extension picks the language when -Language is not given.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>python (the default), javascript, bash, r, ...; ignored with -Context, which has its own.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(CodeLanguageCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Language { get; set; }

    /// <summary>The context to run in: an object from New-SbxCodeContext, or its id. By default, the language's default context.</summary>
    [Parameter]
    [ValidateNotNull]
    [ArgumentCompleter(typeof(CodeContextCompleter))]
    public object? Context { get; set; }

    /// <summary>Environment variables for this execution only.</summary>
    [Parameter]
    public Hashtable? Environment { get; set; }

    /// <summary>Seconds the code may run; then it is interrupted (the context keeps its state). 0, the default, means no limit.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int TimeoutSec { get; set; }

    /// <summary>A local folder where images, SVG, HTML and PDF results are saved; their files are returned.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? OutputDirectory { get; set; }

    readonly List<string> _pipedCode = new List<string>();

    protected override void ProcessRecord()
    {
        if (ParameterSetName == CodeSet)
        {
            _pipedCode.Add(Code);
        }
    }

    protected override void EndProcessing()
    {
        SandboxCodeRequest request;
        try
        {
            request = BuildRequest();
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
            ErrorCategory category = e is FileNotFoundException || e is DirectoryNotFoundException ? ErrorCategory.ObjectNotFound : ErrorCategory.ReadError;
            ThrowTerminatingError(new ErrorRecord(e, "ScriptNotRead", category, Path));
            return;
        }
        string? outputDirectory = OutputDirectory is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(OutputDirectory);
        if (outputDirectory is not null && File.Exists(outputDirectory))
        {
            // Checked before the code runs: found only at the first result, the code would have run for nothing.
            ThrowTerminatingError(new ErrorRecord(new IOException($"-OutputDirectory '{outputDirectory}' is a file; name a folder (it is made if missing)."),
                "OutputDirectoryIsFile", ErrorCategory.InvalidArgument, OutputDirectory));
            return;
        }
        SandboxClient client = Client;
        try
        {
            Pump((sink, cancel) => RunAsync(client, request, outputDirectory, sink, cancel));
        }
        catch (SandboxException e)
        {
            WriteSandboxError(e, request.ContextId ?? request.Language ?? "python");
        }
    }

    SandboxCodeRequest BuildRequest()
    {
        string code;
        string? language = Language;
        if (ParameterSetName == PathSet)
        {
            string local = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
            if (Directory.Exists(local))
            {
                // .NET says only "access denied" for a directory.
                throw new IOException($"'{local}' is a directory; -Path takes a script file.");
            }
            code = File.ReadAllText(local);
            language ??= LanguageOf(System.IO.Path.GetExtension(local));
        }
        else
        {
            code = string.Join("\n", _pipedCode);
        }
        var request = new SandboxCodeRequest(code)
        {
            Language = language,
            ContextId = CodeContextArgument.IdOf(Context),
            Timeout = TimeoutSec > 0 ? TimeSpan.FromSeconds(TimeoutSec) : (TimeSpan?)null,
        };
        if (Environment is not null)
        {
            foreach (DictionaryEntry entry in Environment)
            {
                request.Environment[entry.Key.ToString()!] = LanguagePrimitives.ConvertTo<string>(entry.Value) ?? string.Empty;
            }
        }
        return request;
    }

    static string? LanguageOf(string extension) => extension.ToLowerInvariant() switch
    {
        ".py" => "python",
        ".js" or ".mjs" or ".cjs" => "javascript",
        ".ts" => "typescript",
        ".sh" or ".bash" => "bash",
        ".r" => "r",
        ".java" => "java",
        _ => null,
    };

    async Task RunAsync(SandboxClient client, SandboxCodeRequest request, string? outputDirectory, OutputSink sink, CancellationToken cancel)
    {
        var stdout = new TextLineSplitter();
        var stderr = new TextLineSplitter();
        try
        {
            await foreach (SandboxCodeEvent codeEvent in client.Code.ExecuteAsync(request, cancel).WithCancellation(cancel).ConfigureAwait(false))
            {
                switch (codeEvent)
                {
                    case SandboxCodeOutput { Stream: SandboxCodeStream.Stdout } output:
                        await WriteLinesAsync(sink, stdout.Add(output.Text), cancel).ConfigureAwait(false);
                        break;
                    case SandboxCodeOutput output:
                        await WriteErrorLinesAsync(sink, stderr.Add(output.Text), cancel).ConfigureAwait(false);
                        break;
                    case SandboxCodeResult result:
                        // What was printed before the result comes first, even without its line ending.
                        await WriteLinesAsync(sink, stdout.Flush(), cancel).ConfigureAwait(false);
                        await sink.WriteObjectAsync(result, cancel).ConfigureAwait(false);
                        if (outputDirectory is not null)
                        {
                            await SaveResultFilesAsync(sink, result, outputDirectory, cancel).ConfigureAwait(false);
                        }
                        break;
                    case SandboxCodeError error:
                        await WriteLinesAsync(sink, stdout.Flush(), cancel).ConfigureAwait(false);
                        await sink.WriteErrorAsync(CodeErrorRecords.From(error), cancel).ConfigureAwait(false);
                        break;
                }
            }
        }
        finally
        {
            if (!cancel.IsCancellationRequested)
            {
                await WriteLinesAsync(sink, stdout.Flush(), cancel).ConfigureAwait(false);
                await WriteErrorLinesAsync(sink, stderr.Flush(), cancel).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Saves a result's files and returns them as FileInfo objects. A folder that cannot be written
    /// is an error of this result only: the code goes on, and so does its output.
    /// </summary>
    static async Task SaveResultFilesAsync(OutputSink sink, SandboxCodeResult result, string outputDirectory, CancellationToken cancel)
    {
        IReadOnlyList<string> files;
        try
        {
            files = ResultFiles.Save(result, outputDirectory);
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
            await sink.WriteErrorAsync(new ErrorRecord(e, "ResultNotSaved", ErrorCategory.WriteError, outputDirectory), cancel).ConfigureAwait(false);
            return;
        }
        foreach (string file in files)
        {
            await sink.WriteLocalItemAsync(file, isDirectory: false, cancel).ConfigureAwait(false);
        }
    }

    static async Task WriteLinesAsync(OutputSink sink, List<string> lines, CancellationToken cancel)
    {
        if (lines.Count > 0)
        {
            await sink.WriteObjectsAsync(lines.ConvertAll(line => (object)line), cancel).ConfigureAwait(false);
        }
    }

    // As Start-SbxProcess: what the code prints on stderr goes where a native command's does, and stops nothing.
    static async Task WriteErrorLinesAsync(OutputSink sink, List<string> lines, CancellationToken cancel)
    {
        foreach (string line in lines)
        {
            await sink.WriteStandardErrorAsync(StandardErrorWriter.Record(line), cancel).ConfigureAwait(false);
        }
    }
}

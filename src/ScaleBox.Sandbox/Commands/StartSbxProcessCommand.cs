using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Processes;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Infrastructure;
using ScaleBox.Sandbox.Processes;

namespace ScaleBox.Sandbox.Commands;

/// <summary>
/// Starts a process in the sandbox and streams what it writes while it runs: output records
/// and a final exit record, or plain lines with -AsText. -Background returns the process as
/// soon as it has started; -AsJob runs the stream as a job. Ctrl+C stops the local stream only:
/// the process keeps running and Receive-SbxProcess attaches to it again.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "SbxProcess", DefaultParameterSetName = FileSet, SupportsShouldProcess = true, HelpUri = HelpLinks.Root + "Start-SbxProcess.md")]
[OutputType(typeof(SandboxProcessOutput), typeof(SandboxProcessExit), typeof(string), typeof(SandboxProcessInfo), typeof(Job))]
public sealed class StartSbxProcessCommand : SessionCmdlet
{
    const string FileSet = "FilePath";
    const string CommandSet = "Command";

    /// <summary>The program to run (looked up on the sandbox's PATH).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = FileSet)]
    [ValidateNotNullOrEmpty]
    public string FilePath { get; set; } = string.Empty;

    /// <summary>The program's arguments; the words after the program name bind here too (Start-SbxProcess echo hello world).</summary>
    [Parameter(Position = 1, ParameterSetName = FileSet, ValueFromRemainingArguments = true)]
    [Alias("Args")]
    public string[] ArgumentList { get; set; } = new string[0];

    /// <summary>A shell command line, run by /bin/bash -l -c as the official SDKs run commands.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = CommandSet)]
    [ValidateNotNullOrEmpty]
    public string Command { get; set; } = string.Empty;

    /// <summary>The process's working directory; the agent user's home unless given.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SandboxPathCompleter))]
    public string? WorkingDirectory { get; set; }

    /// <summary>Environment variables added to PATH, HOME and USER.</summary>
    [Parameter]
    public Hashtable? Environment { get; set; }

    /// <summary>A label for finding the process later (Get-SbxProcess -Tag, Receive-SbxProcess -Tag).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Tag { get; set; }

    /// <summary>Seconds the process may live; the agent kills it then. 0 (the default) means no limit.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int TimeoutSec { get; set; }

    /// <summary>Runs the process in a pseudo-terminal (isatty is true; output arrives as one Pty stream).</summary>
    [Parameter]
    public SwitchParameter Pty { get; set; }

    [Parameter]
    [ValidateRange(1, 65535)]
    public int Columns { get; set; } = SandboxTerminalSize.Default.Columns;

    [Parameter]
    [ValidateRange(1, 65535)]
    public int Rows { get; set; } = SandboxTerminalSize.Default.Rows;

    /// <summary>Lines of text, the default: standard output to the pipeline, standard error to the error stream. Kept for scripts that name it.</summary>
    [Parameter]
    public SwitchParameter AsText { get; set; }

    /// <summary>Writes output records (pid, stream, text, bytes) as chunks arrive, then the exit record, instead of lines.</summary>
    [Parameter]
    public SwitchParameter AsRecord { get; set; }

    /// <summary>Makes a non-zero exit code or a signal an error, so -ErrorAction Stop ends a script.</summary>
    [Parameter]
    public SwitchParameter CheckExitCode { get; set; }

    /// <summary>Returns the process as soon as it has started, and leaves it running.</summary>
    [Parameter]
    public SwitchParameter Background { get; set; }

    /// <summary>Runs the output stream as a background job (Receive-Job, Wait-Job, Stop-Job).</summary>
    [Parameter]
    public SwitchParameter AsJob { get; set; }

    ProcessOutputMode _mode;

    protected override void BeginProcessing()
    {
        ProcessOutputMode? mode = ProcessOutputModes.From(AsText, AsRecord, out ErrorRecord? conflict);
        if (conflict is not null)
        {
            ThrowTerminatingError(conflict);
        }
        _mode = mode!.Value;
        if (!Pty && (MyInvocation.BoundParameters.ContainsKey(nameof(Columns)) || MyInvocation.BoundParameters.ContainsKey(nameof(Rows))))
        {
            ThrowTerminatingError(SandboxErrors.Create("SizeNeedsPty", ErrorCategory.InvalidArgument, null,
                "-Columns and -Rows size a terminal: add -Pty."));
        }
        if (Background && (AsText || AsRecord || CheckExitCode))
        {
            ThrowTerminatingError(SandboxErrors.Create("BackgroundHasNoOutput", ErrorCategory.InvalidArgument, null,
                "-Background returns the process without its output: use -AsRecord and -CheckExitCode with Receive-SbxProcess or Wait-SbxProcess."));
        }
        if (Background && AsJob)
        {
            ThrowTerminatingError(SandboxErrors.Create("BackgroundAndJob", ErrorCategory.InvalidArgument, null,
                "-Background and -AsJob exclude each other: -Background returns the running process, -AsJob a job that streams its output."));
        }
    }

    protected override void EndProcessing()
    {
        SandboxProcessStartInfo info = BuildStartInfo();
        if (!ShouldProcess(info.CommandLine, "Start process"))
        {
            return;
        }
        SandboxClient client = Client;
        string domain = ResolvedSession.Domain;

        if (Background)
        {
            try
            {
                WriteObject(Wait(StartInBackgroundAsync(client, info, domain, CancelToken)));
            }
            catch (SandboxException e)
            {
                WriteStartError(e, info);
            }
            return;
        }

        if (AsJob)
        {
            var job = new SbxJob(MyInvocation.Line, Tag, domain);
            JobRepository.Add(job);
            job.Start((sink, cancel) => StreamAsync(client, info, sink, cancel));
            WriteObject(job);
            return;
        }

        try
        {
            Pump((sink, cancel) => StreamAsync(client, info, sink, cancel));
        }
        catch (SandboxException e)
        {
            WriteStartError(e, info);
        }
    }

    void WriteStartError(SandboxException error, SandboxProcessStartInfo info)
    {
        ErrorRecord record = SandboxErrors.ToErrorRecord(error, info.CommandLine);
        if (ParameterSetName == FileSet && ArgumentList.Length == 0 && FilePath.Trim().IndexOf(' ') > 0
            && (error.Code == SandboxErrorCode.InvalidArgument || error.Code == SandboxErrorCode.NotFound))
        {
            // 'ls -la' as one word names a program called "ls -la": the usual slip, worth a hint.
            string quoted = FilePath.Replace("'", "''");
            record.ErrorDetails = new ErrorDetails($"{error.Message} To run a command line, use -Command: Start-SbxProcess -Command '{quoted}'.")
            {
                RecommendedAction = $"Start-SbxProcess -Command '{quoted}', or the program and its arguments as separate words: Start-SbxProcess {FilePath.Trim()}",
            };
        }
        WriteSandboxError(record, error);
    }

    SandboxProcessStartInfo BuildStartInfo()
    {
        SandboxProcessStartInfo info = ParameterSetName == CommandSet
            ? SandboxProcessStartInfo.ForCommand(Command)
            : new SandboxProcessStartInfo(FilePath, ArgumentList);
        info.WorkingDirectory = WorkingDirectory;
        info.Tag = Tag;
        info.Timeout = TimeoutSec > 0 ? TimeSpan.FromSeconds(TimeoutSec) : (TimeSpan?)null;
        if (Pty)
        {
            info.Pty = new SandboxTerminalSize(Columns, Rows);
            info.Environment["TERM"] = SandboxProcessStartInfo.DefaultTerminalType;
        }
        if (Environment is not null)
        {
            foreach (DictionaryEntry entry in Environment)
            {
                info.Environment[entry.Key.ToString()!] = LanguagePrimitives.ConvertTo<string>(entry.Value) ?? string.Empty;
            }
        }
        return info;
    }

    Task StreamAsync(SandboxClient client, SandboxProcessStartInfo info, OutputSink sink, CancellationToken cancel) =>
        new ProcessEventRenderer(sink, _mode, CheckExitCode, setLastExitCode: true).RenderAllAsync(
            client.Processes.StartAsync(info, cancel),
            started =>
            {
                _followed.Started(started.Pid);
                return sink.WriteVerboseAsync($"Started {info.CommandLine} as pid {started.Pid}.", cancel).AsTask();
            },
            cancel,
            onEnded: _followed.Ended);

    readonly FollowedProcess _followed = new FollowedProcess();

    protected override void StopProcessing()
    {
        base.StopProcessing();
        if (!AsJob)
        {
            _followed.NoteStillRunning(Host);
        }
    }

    static async Task<SandboxProcessInfo> StartInBackgroundAsync(SandboxClient client, SandboxProcessStartInfo info, string domain, CancellationToken cancel)
    {
        // Leaving the stream after the start event detaches: the agent keeps the process running.
        using var detach = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        await foreach (SandboxProcessEvent processEvent in client.Processes.StartAsync(info, detach.Token).WithCancellation(detach.Token).ConfigureAwait(false))
        {
            if (processEvent is SandboxProcessStarted started)
            {
                detach.Cancel();
                return new SandboxProcessInfo
                {
                    Pid = started.Pid,
                    Tag = info.Tag,
                    FileName = info.FileName,
                    Arguments = new List<string>(info.Arguments),
                    Environment = new Dictionary<string, string>(info.Environment),
                    WorkingDirectory = info.WorkingDirectory,
                    Domain = domain,
                };
            }
        }
        throw new SandboxException(SandboxErrorCode.Aborted, $"The sandbox agent ended the stream of '{info.CommandLine}' before the process started.", target: info.CommandLine, domain: domain);
    }
}

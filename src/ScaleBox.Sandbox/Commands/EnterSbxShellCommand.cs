using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Processes;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Infrastructure;
using ScaleBox.Sandbox.Shell;

namespace ScaleBox.Sandbox.Commands;

/// <summary>
/// An interactive terminal in the sandbox, in the current console, as ssh gives one: a login
/// shell (or a command) in a pseudo-terminal, or an existing terminal process attached by pid
/// or tag. Keystrokes go to the sandbox raw (Ctrl+C included); Ctrl+] detaches and leaves the
/// process running.
/// </summary>
[Cmdlet(VerbsCommon.Enter, "SbxShell", DefaultParameterSetName = StartSet, HelpUri = HelpLinks.Root + "Enter-SbxShell.md")]
[OutputType(typeof(SandboxProcessExit))]
public sealed class EnterSbxShellCommand : SessionCmdlet
{
    const string StartSet = "Start";
    const string PidSet = "Pid";
    const string TagSet = "Tag";
    const string ConsoleHostName = "ConsoleHost";

    /// <summary>A command line to run in the terminal instead of the login shell (through <c>/bin/bash -l -c</c>).</summary>
    [Parameter(ParameterSetName = StartSet)]
    [ValidateNotNullOrEmpty]
    public string? Command { get; set; }

    /// <summary>The working directory of the new shell; the sandbox user's home by default.</summary>
    [Parameter(ParameterSetName = StartSet)]
    [ValidateNotNullOrEmpty]
    public string? WorkingDirectory { get; set; }

    /// <summary>Environment variables for the new shell, added to the sandbox's (TERM is xterm-256color unless given here).</summary>
    [Parameter(ParameterSetName = StartSet)]
    [ValidateNotNull]
    public Hashtable? Environment { get; set; }

    /// <summary>Attaches to the running terminal process with this pid instead of starting a shell.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PidSet)]
    [Alias("Id", "ProcessId")]
    [ArgumentCompleter(typeof(SandboxProcessCompleter))]
    public uint Pid { get; set; }

    /// <summary>Attaches to the running terminal process started with this tag (the first one started, if several).</summary>
    [Parameter(Mandatory = true, ParameterSetName = TagSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SandboxProcessCompleter))]
    public string? Tag { get; set; }

    /// <summary>Returns how the process ended when it ends (nothing when you detach).</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void BeginProcessing()
    {
        RequireConsole();
    }

    protected override void ProcessRecord()
    {
        SandboxClient client = Client;
        SandboxTerminalSize size = UnixTerminal.GetWindowSize();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(CancelToken);

        SandboxProcessStartInfo? start = null;
        IAsyncEnumerable<SandboxProcessEvent> stream;
        string target;
        if (ParameterSetName == StartSet)
        {
            start = CreateStartInfo(size);
            target = start.CommandLine;
            stream = client.Processes.StartAsync(start, stop.Token);
        }
        else
        {
            SandboxProcessSelector selector = ParameterSetName == TagSet ? SandboxProcessSelector.ByTag(Tag!) : SandboxProcessSelector.ByPid(Pid);
            target = selector.ToString();
            stream = client.Processes.ConnectAsync(selector, stop.Token);
        }

        IAsyncEnumerator<SandboxProcessEvent> events = stream.GetAsyncEnumerator(stop.Token);
        try
        {
            uint pid = ReadStart(events, target);
            if (start is null)
            {
                // The attached terminal takes this window's size (and its process a SIGWINCH, which makes
                // full-screen programs redraw); it also proves the process runs and has a terminal.
                PrepareAttached(client, pid, size);
            }
            else
            {
                WriteVerbose($"Started pid {pid.ToString(CultureInfo.InvariantCulture)}: {start.CommandLine}, in a {size} terminal.");
            }

            WriteHostLine($"Connected to pid {pid.ToString(CultureInfo.InvariantCulture)}. Press {InteractiveShell.DetachKeyName} to detach.");
            ShellOutcome outcome = RunInRawMode(client, pid, events, stop, size);
            Report(outcome, pid);
        }
        finally
        {
            stop.Cancel();
            DisposeQuietly(events);
        }
    }

    /// <summary>Ends the cmdlet with NoConsole unless keystrokes can be read from, and output written to, a real console.</summary>
    void RequireConsole()
    {
        string? problem =
            !string.Equals(Host.Name, ConsoleHostName, StringComparison.Ordinal) ? $"the PowerShell host is '{Host.Name}', not the console host"
            : Console.IsInputRedirected ? "standard input is redirected"
            : Console.IsOutputRedirected ? "standard output is redirected"
            : null;
        if (problem is not null)
        {
            ThrowTerminatingError(SandboxErrors.Create("NoConsole", ErrorCategory.InvalidOperation, Host.Name,
                $"Enter-SbxShell needs an interactive console, and {problem}. To run commands in the sandbox from a script, a job or "
                + "a remote session, use Start-SbxProcess, and Send-SbxProcessInput to write to a process's input."));
        }
        if (!UnixTerminal.IsSupported)
        {
            ThrowTerminatingError(SandboxErrors.Create("PlatformNotSupported", ErrorCategory.NotImplemented, null,
                "Enter-SbxShell works in Linux and macOS terminals only; this console is not one. Run it from WSL or over ssh on a "
                + "Linux or macOS computer, or use Start-SbxProcess and Send-SbxProcessInput."));
        }
    }

    SandboxProcessStartInfo CreateStartInfo(SandboxTerminalSize size)
    {
        SandboxProcessStartInfo info = SandboxProcessStartInfo.ForShell(size);
        if (Command is not null)
        {
            // As `ssh -t host command` does: the command instead of the shell, still in a terminal.
            SandboxProcessStartInfo command = SandboxProcessStartInfo.ForCommand(Command);
            info.FileName = command.FileName;
            info.Arguments = command.Arguments;
        }
        info.WorkingDirectory = WorkingDirectory;
        if (Environment is not null)
        {
            foreach (DictionaryEntry variable in Environment)
            {
                string name = LanguagePrimitives.ConvertTo<string>(variable.Key);
                if (string.IsNullOrEmpty(name))
                {
                    ThrowTerminatingError(SandboxErrors.Create("InvalidEnvironmentName", ErrorCategory.InvalidArgument, variable.Key,
                        "An environment variable needs a name; -Environment has an empty key."));
                }
                info.Environment[name] = variable.Value is null ? string.Empty : LanguagePrimitives.ConvertTo<string>(variable.Value);
            }
        }
        return info;
    }

    /// <summary>Reads the stream's first event, the start; a failure to start or attach ends the cmdlet before the terminal changes.</summary>
    uint ReadStart(IAsyncEnumerator<SandboxProcessEvent> events, string target)
    {
        try
        {
            if (Wait(events.MoveNextAsync().AsTask()) && events.Current is SandboxProcessStarted started)
            {
                return started.Pid;
            }
            ThrowTerminatingError(SandboxErrors.Create("NoStartEvent", ErrorCategory.ProtocolError, target,
                $"The sandbox did not confirm that {target} runs."));
            return 0;
        }
        catch (SandboxException e)
        {
            ThrowTerminatingError(SandboxErrors.ToErrorRecord(e, target));
            return 0;
        }
    }

    void PrepareAttached(SandboxClient client, uint pid, SandboxTerminalSize size)
    {
        string pidText = pid.ToString(CultureInfo.InvariantCulture);
        try
        {
            Wait(client.Processes.ResizeAsync(SandboxProcessSelector.ByPid(pid), size, CancelToken));
        }
        catch (SandboxException e) when (e.Code == SandboxErrorCode.FailedPrecondition)
        {
            // No terminal, or the process has ended (the agent answers both this way).
            ThrowTerminatingError(new ErrorRecord(e, "CannotAttach", ErrorCategory.InvalidOperation, pid)
            {
                ErrorDetails = new ErrorDetails(
                    $"Cannot attach to pid {pidText}: {e.ServerMessage ?? e.Message}. Enter-SbxShell attaches to running processes that have a "
                    + $"terminal (started by Enter-SbxShell, or by Start-SbxProcess -Pty). Follow other processes with Receive-SbxProcess -Pid {pidText}."),
            });
        }
        catch (SandboxException e)
        {
            ThrowTerminatingError(SandboxErrors.ToErrorRecord(e, pid));
        }
        WriteVerbose($"Attached to pid {pidText}, resized to {size}. Output is not replayed: press Enter or Ctrl+L to redraw.");
    }

    ShellOutcome RunInRawMode(SandboxClient client, uint pid, IAsyncEnumerator<SandboxProcessEvent> events, CancellationTokenSource stop,
        SandboxTerminalSize size)
    {
        using Stream screen = Console.OpenStandardOutput();
        UnixTerminal terminal;
        try
        {
            terminal = UnixTerminal.EnterRawMode();
        }
        catch (IOException e)
        {
            ThrowTerminatingError(new ErrorRecord(e, "NoConsole", ErrorCategory.InvalidOperation, pid)
            {
                ErrorDetails = new ErrorDetails(e.Message + " Enter-SbxShell needs an interactive terminal; the process "
                    + $"(pid {pid.ToString(CultureInfo.InvariantCulture)}) was left running."),
            });
            throw; // not reached
        }
        using (terminal)
        {
            var shell = new InteractiveShell(client.Processes, pid, events, stop, screen, UnixTerminal.Read, UnixTerminal.GetWindowSize, size);
            ShellOutcome outcome = Wait(shell.RunAsync(CancelToken));
            if (outcome.End != ShellEnd.Exited)
            {
                // Back to column 0 (raw mode does not turn \n into \r\n) and out of the modes a program
                // left on: colours, hidden cursor, bracketed paste.
                WriteQuietly(screen, "\u001b[0m\u001b[?25h\u001b[?2004l\r\n");
            }
            return outcome;
        }
    }

    void Report(ShellOutcome outcome, uint pid)
    {
        string pidText = pid.ToString(CultureInfo.InvariantCulture);
        switch (outcome.End)
        {
            case ShellEnd.Exited:
                SandboxProcessExit exit = outcome.Exit!;
                WriteVerbose(exit.Exited
                    ? $"The process (pid {pidText}) exited with code {exit.ExitCode.ToString(CultureInfo.InvariantCulture)} ({exit.Status})."
                    : $"The process (pid {pidText}) was ended by a signal ({exit.Status}).");
                if (PassThru)
                {
                    WriteObject(exit);
                }
                break;
            case ShellEnd.Detached:
                WriteHostLine($"Detached from pid {pidText}, which is still running.");
                WriteHostLine($"Reattach with: Enter-SbxShell -Pid {pidText}"
                    + (CommandExists("Receive-SbxProcess") ? $" (or follow its output with Receive-SbxProcess -Pid {pidText})" : string.Empty));
                break;
            case ShellEnd.TerminalClosed:
                WriteVerbose($"The local terminal closed; pid {pidText} is still running. Reattach with: Enter-SbxShell -Pid {pidText}");
                break;
            default:
                Exception error = outcome.Error!;
                string hint = $" The process (pid {pidText}) may still be running: reattach with Enter-SbxShell -Pid {pidText}.";
                ErrorRecord record = error is SandboxException sandbox
                    ? SandboxErrors.ToErrorRecord(sandbox, pid)
                    : new ErrorRecord(error, "ShellFailed", ErrorCategory.NotSpecified, pid);
                record.ErrorDetails = new ErrorDetails(error.Message + hint);
                ThrowTerminatingError(record);
                break;
        }
    }

    /// <summary>A line for the person at the console, as Write-Host writes it (information stream, PSHOST tag).</summary>
    void WriteHostLine(string message) =>
        WriteInformation(new HostInformationMessage { Message = message, NoNewLine = false }, new[] { "PSHOST" });

    bool CommandExists(string name)
    {
        try
        {
            return InvokeCommand.GetCommand(name, CommandTypes.Cmdlet | CommandTypes.Function | CommandTypes.Alias) is not null;
        }
        catch (Exception e) when (e is CommandNotFoundException || e is InvalidOperationException)
        {
            return false;
        }
    }

    static void WriteQuietly(Stream screen, string text)
    {
        try
        {
            byte[] bytes = System.Text.Encoding.ASCII.GetBytes(text);
            screen.Write(bytes, 0, bytes.Length);
            screen.Flush();
        }
        catch (IOException)
        {
            // The terminal is gone; nothing to tidy up.
        }
    }

    static void DisposeQuietly(IAsyncEnumerator<SandboxProcessEvent> events)
    {
        try
        {
            Task disposing = events.DisposeAsync().AsTask();
            disposing.Wait(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is AggregateException || e is NotSupportedException || e is InvalidOperationException)
        {
            // Only the stream ends here, never the process; a stream that will not close is moot.
        }
    }
}

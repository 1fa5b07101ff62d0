using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace ScaleBox.Sandbox.Agent.Code;

/// <summary>
/// One runner process (Bridges/jupyter_bridge.py, bash_bridge.py or node_repl.js) and its JSON-lines
/// conversation: requests on its stdin, events on its stdout. Events pass through a small bounded
/// channel, so a slow client holds the runner back (pipe backpressure) instead of output piling up.
/// </summary>
public sealed class KernelBridge : IAsyncDisposable
{
    const int SigInt = 2;
    readonly Process process;
    readonly Channel<JsonElement> events = Channel.CreateBounded<JsonElement>(new BoundedChannelOptions(32) { SingleReader = true });
    readonly bool interruptBySignal;
    readonly StringBuilder stderrTail = new();

    KernelBridge(Process process, bool interruptBySignal, string? socketFolder)
    {
        this.process = process;
        this.interruptBySignal = interruptBySignal;
        SocketFolder = socketFolder;
        _ = PumpEventsAsync();
        _ = DrainStderrAsync();
    }

    public int Pid => process.Id;

    /// <summary>
    /// The private folder of a Python kernel's Unix sockets, made here and removed once the runner
    /// is gone, even when it had to be killed and could not remove it itself; null for a kernel on TCP.
    /// </summary>
    public string? SocketFolder { get; }

    /// <summary>Starts the runner for <paramref name="language"/> in <paramref name="cwd"/> and waits for it to be ready.</summary>
    public static async Task<KernelBridge> StartAsync(CodeLanguage language, string cwd, CancellationToken cancel)
    {
        string bridges = Path.Combine(AppContext.BaseDirectory, "Code", "Bridges");
        var start = new ProcessStartInfo
        {
            WorkingDirectory = cwd,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = new UTF8Encoding(false),
            StandardInputEncoding = new UTF8Encoding(false),
        };
        string? socketFolder = null;
        switch (language.Runner)
        {
            case RunnerKind.Node:
                start.FileName = "node";
                start.ArgumentList.Add(Path.Combine(bridges, "node_repl.js"));
                break;
            case RunnerKind.Bash:
                start.FileName = SystemPython;
                start.ArgumentList.Add(Path.Combine(bridges, "bash_bridge.py"));
                start.ArgumentList.Add(cwd);
                break;
            default:
                // jupyter_client must come from the system Python; a python3 earlier on PATH may lack it.
                start.FileName = SystemPython;
                start.ArgumentList.Add(Path.Combine(bridges, "jupyter_bridge.py"));
                start.ArgumentList.Add(language.KernelSpecDir!);
                start.ArgumentList.Add(cwd);
                start.ArgumentList.Add(language.KernelLanguage);
                if (language.KernelLanguage == "python")
                {
                    socketFolder = NewSocketFolder();
                    start.ArgumentList.Add(socketFolder ?? "");
                }
                start.Environment["PYDEVD_DISABLE_FILE_VALIDATION"] = "1";
                break;
        }
        Process runner;
        try
        {
            runner = Process.Start(start)!;
        }
        catch
        {
            DeleteSocketFolder(socketFolder);
            throw;
        }
        var bridge = new KernelBridge(runner, language.Runner == RunnerKind.Node, socketFolder);
        try
        {
            JsonElement first = await bridge.events.Reader.ReadAsync(cancel);
            if (Event(first) != "ready")
            {
                throw new InvalidOperationException(first.TryGetProperty("message", out JsonElement m) ? m.GetString() : "the kernel did not start");
            }
            return bridge;
        }
        catch (ChannelClosedException)
        {
            await bridge.DisposeAsync();
            throw new InvalidOperationException($"the {language.Name} kernel did not start: {bridge.StderrTail}");
        }
        catch
        {
            await bridge.DisposeAsync();
            throw;
        }
    }

    /// <summary>A new private folder for a kernel's Unix sockets, or null where the temp path leaves no room for their names.</summary>
    static string? NewSocketFolder()
    {
        string folder = Directory.CreateTempSubdirectory("sbx-kernel-").FullName;
        // A Unix socket's path holds at most 107 bytes; the kernel adds a name of about 15.
        if (Encoding.UTF8.GetByteCount(folder) <= 90)
        {
            return folder;
        }
        DeleteSocketFolder(folder);
        return null;
    }

    static void DeleteSocketFolder(string? folder)
    {
        try
        {
            if (folder is not null)
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    static string SystemPython => File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    public static string Event(JsonElement e) => e.GetProperty("ev").GetString() ?? "";

    /// <summary>
    /// How the runner ended, once its events have: its exit code, or the signal that killed it
    /// (which .NET reports as 128 plus its number); "died" when it does not exit in time.
    /// </summary>
    public async Task<string> EndingAsync(string what)
    {
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await process.WaitForExitAsync(grace.Token);
        }
        catch (OperationCanceledException)
        {
            return $"{what} died";
        }
        return Ending(what, process.ExitCode);
    }

    /// <summary>
    /// How a runner that exited with <paramref name="exitCode"/> ended, worded as the bridges word
    /// a kernel's end (child_signals.py): the signal by its symbol, SIGKILL with the out-of-memory
    /// killer, its most common sender.
    /// </summary>
    internal static string Ending(string what, int exitCode)
    {
        if (exitCode is not (> 128 and < 128 + 32))
        {
            return $"{what} exited with code {exitCode}";
        }
        int signal = exitCode - 128;
        string hint = signal == Processes.LibC.SIGKILL ? " (sent by the system when it runs out of memory, among others)" : "";
        return $"{what} was killed by {Processes.Signals.Symbol(signal)}{hint}";
    }

    public string StderrTail { get { lock (stderrTail) { return stderrTail.ToString().Trim(); } } }

    /// <summary>The runner's events; the reader completes when the runner's stdout ends.</summary>
    public ChannelReader<JsonElement> Events => events.Reader;

    public async Task ExecuteAsync(string code, IDictionary<string, string> env)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("op", "execute");
            json.WriteString("code", code);
            json.WriteStartObject("env");
            foreach (KeyValuePair<string, string> pair in env)
            {
                json.WriteString(pair.Key, pair.Value);
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        await SendAsync(Encoding.UTF8.GetString(buffer.ToArray()));
    }

    /// <summary>Interrupts the running execution: SIGINT for node; a Jupyter interrupt (per the kernelspec's interrupt_mode) otherwise.</summary>
    public async Task InterruptAsync()
    {
        if (interruptBySignal)
        {
            Processes.LibC.kill(process.Id, SigInt);
        }
        else
        {
            try { await SendAsync("{\"op\":\"interrupt\"}"); } catch (IOException) { }
        }
    }

    async Task SendAsync(string line)
    {
        await process.StandardInput.WriteLineAsync(line);
        await process.StandardInput.FlushAsync();
    }

    async Task PumpEventsAsync()
    {
        try
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                if (line.StartsWith('{'))
                {
                    using JsonDocument document = JsonDocument.Parse(line);
                    await events.Writer.WriteAsync(document.RootElement.Clone());
                }
            }
        }
        catch (Exception e) when (e is IOException or JsonException or ObjectDisposedException) { }
        events.Writer.TryComplete();
    }

    async Task DrainStderrAsync()
    {
        try
        {
            while (await process.StandardError.ReadLineAsync() is { } line)
            {
                lock (stderrTail)
                {
                    stderrTail.AppendLine(line);
                    if (stderrTail.Length > 4096)
                    {
                        stderrTail.Remove(0, stderrTail.Length - 4096);
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException) { }
    }

    /// <summary>
    /// Interrupts what runs (a runner reads its next request only between executions), asks the
    /// runner to shut its kernel down, and kills the runner's process tree if it is not gone in time.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await InterruptAsync();
            await SendAsync("{\"op\":\"shutdown\"}");
            process.StandardInput.Close();
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or ObjectDisposedException) { }
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await process.WaitForExitAsync(grace.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
        DeleteSocketFolder(SocketFolder);
    }
}

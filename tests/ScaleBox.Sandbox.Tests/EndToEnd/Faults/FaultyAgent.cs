using System.Runtime.InteropServices;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.EndToEnd.Faults;

/// <summary>
/// TEST-ONLY FAULT INJECTION: a real agent in a child process of its own, so that a test can freeze
/// it (SIGSTOP), thaw it (SIGCONT) or kill it (SIGKILL) by its pid. Disposing always thaws it first,
/// then stops it, so that a failed test never leaves a stopped agent behind.
/// </summary>
sealed class FaultyAgent : IAsyncDisposable
{
    const int SigKill = 9, SigCont = 18, SigStop = 19;
    const string Token = "fault-token";

    readonly AgentProcess _process;
    readonly string _root;
    bool _killed;

    FaultyAgent(AgentProcess process, string root, int httpPort, int http2Port)
    {
        _process = process;
        _root = root;
        HttpPort = httpPort;
        Http2Port = http2Port;
    }

    public int HttpPort { get; }
    public int Http2Port { get; }
    public string Home => Path.Combine(_root, "home");

    public int PortFor(SandboxProtocol protocol) => protocol == SandboxProtocol.Grpc ? Http2Port : HttpPort;

    public static async Task<FaultyAgent> StartAsync()
    {
        string root = Directory.CreateTempSubdirectory("sbx-faults-").FullName;
        string home = Directory.CreateDirectory(Path.Combine(root, "home")).FullName;
        var process = AgentProcess.Start(
            ["--port", "0", "--http2-port", "0", "--token", Token, "--home", home, "--state-dir", Path.Combine(root, "state")], tokenVariable: null);
        int http = (await process.ReadListeningAddressAsync()).Port;
        int http2 = PortOf(await process.ReadLineStartingWithAsync("gRPC over HTTP/2"));
        return new FaultyAgent(process, root, http, http2);
    }

    /// <summary>
    /// Makes the client's first call, again when it ran out of the client's timeout: a fresh agent's
    /// first answer, on a machine loaded by the tests beside this one, can take longer than the short
    /// timeout a test sets for what it measures. Afterwards the agent has answered the client once.
    /// </summary>
    public async Task AnsweredOnceAsync(SandboxClient client)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await client.Files.GetItemAsync(Home);
                return;
            }
            catch (SandboxException e) when (e.Code == SandboxErrorCode.DeadlineExceeded && attempt < 10)
            {
            }
        }
    }

    /// <summary>A client as the module builds one, on <paramref name="port"/> (the agent's, or a relay's in front of it).</summary>
    public static SandboxClient Client(int port, SandboxProtocol protocol, TimeSpan timeout) =>
        new(new SandboxClientOptions(SandboxEndpoint.Parse($"127.0.0.1:{port}"), new AccessToken(Token))
        {
            Protocol = protocol,
            Timeout = timeout,
        });

    public void Freeze()
    {
        Signal(SigStop);
        // kill(2) returns before every thread of the agent has stopped; a request sent at once could
        // still be answered. The fault is in effect when the kernel shows the process stopped ('T').
        DateTime deadline = DateTime.UtcNow.AddSeconds(5);
        while (ProcessState() != 'T' && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(5);
        }
    }

    /// <summary>The state letter of /proc/&lt;pid&gt;/stat (after the command name in parentheses).</summary>
    char ProcessState()
    {
        string stat = File.ReadAllText($"/proc/{_process.Pid}/stat");
        return stat[stat.LastIndexOf(')') + 2];
    }

    /// <summary>Lets a frozen agent run again; nothing to do for a killed one.</summary>
    public void Thaw()
    {
        if (!_killed)
        {
            Signal(SigCont);
        }
    }

    public void Kill()
    {
        Signal(SigKill);
        _killed = true;
    }

    void Signal(int signal)
    {
        if (kill(_process.Pid, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    static int PortOf(string line) => new Uri(line[line.LastIndexOf(' ')..].Trim()).Port;

    public async ValueTask DisposeAsync()
    {
        kill(_process.Pid, SigCont); // whatever happened, never leave it stopped
        if (!_killed)
        {
            try
            {
                await _process.StopAsync(); // SIGTERM: it stops the processes it started
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException)
            {
                // DisposeAsync below kills it by its pid.
            }
        }
        await _process.DisposeAsync();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    [DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int signal);
}

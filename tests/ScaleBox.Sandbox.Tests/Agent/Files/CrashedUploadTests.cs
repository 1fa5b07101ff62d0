using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.Agent.Files;

/// <summary>
/// An agent killed (SIGKILL) while an upload is being received leaves its staging file behind; the
/// next agent that starts with the same state directory removes it, and leaves alone the staging
/// files of an agent that is still running.
/// </summary>
public sealed class CrashedUploadTests : IDisposable
{
    const int SigKill = 9;
    readonly string _root = Path.Combine(Path.GetTempPath(), "sbx-crash-" + Guid.NewGuid().ToString("N")[..8]);

    string Home => Path.Combine(_root, "home");
    string State => Path.Combine(_root, "state");

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task The_staging_file_of_a_killed_agent_is_removed_when_the_next_one_starts()
    {
        string folder = Path.Combine(_root, "target");
        Directory.CreateDirectory(folder);
        Directory.CreateDirectory(Home);

        await using (AgentProcess first = await StartAsync())
        {
            // An upload that never finishes, to a known destination: the staging file sits beside it.
            using Socket socket = await BeginUploadAsync(first, Path.Combine(folder, "big.bin"));
            Assert.True(await Eventually.TrueAsync(() => FileEndpointClient.LeftoverTemporaryFiles(folder).Length == 1),
                "the upload's staging file never appeared");

            // A second agent running beside the first must not take its staging file.
            await using (AgentProcess neighbour = await StartAsync())
            {
                await neighbour.ReadLineStartingWithAsync("Home ");
                Assert.Single(FileEndpointClient.LeftoverTemporaryFiles(folder));
            }

            Assert.Equal(0, kill(first.Pid, SigKill));
            Assert.True(await Eventually.TrueAsync(() => !IsAlive(first.Pid)), "the killed agent did not die");
            Assert.Single(FileEndpointClient.LeftoverTemporaryFiles(folder)); // what a crash leaves
        }

        await using AgentProcess next = await StartAsync();
        await next.ReadLineStartingWithAsync("Home ");

        Assert.Empty(FileEndpointClient.LeftoverTemporaryFiles(folder));
        Assert.Empty(Directory.GetFileSystemEntries(folder));
    }

    Task<AgentProcess> StartAsync() =>
        Task.FromResult(AgentProcess.Start(["--port", "0", "--token", "t0ken", "--home", Home, "--state-dir", State], tokenVariable: null));

    static async Task<Socket> BeginUploadAsync(AgentProcess agent, string destination)
    {
        Uri address = await agent.ReadListeningAddressAsync();
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync("127.0.0.1", address.Port);
        const string boundary = "crash-boundary";
        string head = $"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n" +
                      "Content-Type: application/octet-stream\r\n\r\n";
        string request =
            $"POST /upload?path={Uri.EscapeDataString(destination)} HTTP/1.1\r\n" +
            $"Host: 127.0.0.1:{address.Port}\r\nX-Access-Token: t0ken\r\n" +
            $"Content-Type: multipart/form-data; boundary={boundary}\r\n" +
            $"Content-Length: {64L * 1024 * 1024}\r\n\r\n" + head;
        await socket.SendAsync(Encoding.ASCII.GetBytes(request));
        await socket.SendAsync(new byte[256 * 1024]);
        return socket;
    }

    static bool IsAlive(int pid) => Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);

    [DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int signal);
}

using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ScaleBox.Sandbox.Agent.Hosting;
using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.Agent;

/// <summary>
/// The agent's gRPC port speaks HTTP/1.1 as well as cleartext HTTP/2 with prior knowledge, as the
/// real agent's one port does; each connection is told apart by its first bytes.
/// </summary>
[Collection(LocalAgentCollection.Name)]
public sealed class CleartextPortTests(LocalAgentFixture agent)
{
    static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 0)]
    public async Task The_gRPC_port_answers_health_over_either_version(int major, int minor)
    {
        using var client = new HttpClient(new SocketsHttpHandler());
        var version = new Version(major, minor);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(agent.Http2Address, "health"))
        {
            Version = version,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

        using HttpResponseMessage response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(version, response.Version);
        Assert.Equal("OK", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(SandboxProtocol.GrpcWeb)]
    [InlineData(SandboxProtocol.Connect)]
    [InlineData(SandboxProtocol.ConnectJson)]
    public async Task HTTP_1_1_sessions_work_at_the_gRPC_port(SandboxProtocol protocol)
    {
        using SandboxClient client = agent.CreateClient(protocol, at: agent.Http2Address);
        string name = Path.Combine(agent.Home, $"cleartext-{protocol}-{Guid.NewGuid():N}.txt");

        await client.Transfer.UploadAsync(new MemoryStream(Encoding.UTF8.GetBytes("both ways")), name);
        var back = new MemoryStream();
        await client.Transfer.DownloadAsync(name, back);

        Assert.Equal("both ways", Encoding.UTF8.GetString(back.ToArray()));
        Assert.Equal(SandboxItemType.File, (await client.Files.GetItemAsync(name)).Type);
    }

    [Fact]
    public async Task A_preface_that_comes_a_few_bytes_at_a_time_still_opens_HTTP_2()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, agent.Http2Address.Port);
        for (int at = 0; at < Preface.Length; at += 5)
        {
            await socket.SendAsync(Preface.AsMemory(at, Math.Min(5, Preface.Length - at)));
            await Task.Delay(20);
        }
        // An empty SETTINGS frame: 9-byte header, type 4.
        await socket.SendAsync(new byte[] { 0, 0, 0, 4, 0, 0, 0, 0, 0 });

        byte[] header = await ReadExactlyAsync(socket, 9);

        Assert.Equal(4, header[3]); // the server's first frame is its SETTINGS
    }

    [Fact]
    public async Task A_request_line_that_comes_a_byte_at_a_time_is_HTTP_1_1()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, agent.Http2Address.Port);
        // "P" then "O": agrees with the preface for one byte, so the choice waits for the second.
        foreach (byte b in "PO"u8.ToArray())
        {
            await socket.SendAsync(new[] { b });
            await Task.Delay(50);
        }
        await socket.SendAsync("ST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray());

        string answer = Encoding.ASCII.GetString(await ReadExactlyAsync(socket, 12));

        // POST is not what /health takes: the answer matters less than that it is HTTP/1.1.
        Assert.StartsWith("HTTP/1.1 ", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_choice_leaves_every_byte_for_the_protocol_chosen()
    {
        var pipe = new Pipe();
        Task<bool> choice = CleartextProtocolSniffer.OpensWithPrefaceAsync(pipe.Reader, CancellationToken.None);
        await pipe.Writer.WriteAsync(Preface.AsMemory(0, 10));
        await Task.Delay(20);
        Assert.False(choice.IsCompleted); // a prefix of the preface: not yet known
        await pipe.Writer.WriteAsync(Preface.AsMemory(10));
        await pipe.Writer.WriteAsync("more"u8.ToArray());

        Assert.True(await choice);
        ReadResult read = await pipe.Reader.ReadAsync();
        Assert.Equal([.. Preface, .. "more"u8.ToArray()], read.Buffer.ToArray());
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n")]
    [InlineData("PRI * HTTP/1.1\r\n")]
    [InlineData("PRI")] // and then the client hangs up
    [InlineData("")]
    public async Task Anything_but_the_whole_preface_is_HTTP_1_1(string first)
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Encoding.ASCII.GetBytes(first));
        if (first.Length < Preface.Length)
        {
            await pipe.Writer.CompleteAsync();
        }

        Assert.False(await CleartextProtocolSniffer.OpensWithPrefaceAsync(pipe.Reader, CancellationToken.None));
        ReadResult read = await pipe.Reader.ReadAsync();
        Assert.Equal(first, Encoding.ASCII.GetString(read.Buffer.ToArray()));
    }

    [Fact]
    public async Task A_connection_that_closes_before_it_says_anything_is_left_to_HTTP_1_1()
    {
        var pipe = new Pipe();
        using var closed = new CancellationTokenSource();
        Task<bool> choice = CleartextProtocolSniffer.OpensWithPrefaceAsync(pipe.Reader, closed.Token);
        closed.Cancel();

        Assert.False(await choice);
    }

    static async Task<byte[]> ReadExactlyAsync(Socket socket, int count)
    {
        byte[] buffer = new byte[count];
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        int got = 0;
        while (got < count)
        {
            int read = await socket.ReceiveAsync(buffer.AsMemory(got), SocketFlags.None, limit.Token);
            Assert.True(read > 0, $"The agent closed the connection after {got} bytes.");
            got += read;
        }
        return buffer;
    }
}

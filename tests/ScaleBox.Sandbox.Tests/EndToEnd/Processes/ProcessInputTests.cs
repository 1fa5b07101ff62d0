using System.Security.Cryptography;
using System.Text;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Processes;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.EndToEnd.Processes;

/// <summary>
/// Input to processes: the unary SendInput on every protocol, the streamed StreamInput over gRPC
/// (and a clear refusal on gRPC-Web before anything is sent), and input of the wrong kind.
/// </summary>
[Collection(LocalAgentCollection.Name)]
public sealed class ProcessInputTests(LocalAgentFixture agent)
{
    [Theory, AllProtocols]
    public async Task Input_sent_to_cat_comes_back_as_its_output(SandboxProtocol protocol)
    {
        using SandboxClient client = agent.CreateClient(protocol);
        await using var follower = new ProcessFollower(ct => client.Processes.StartAsync(new SandboxProcessStartInfo("cat"), ct));
        uint pid = await follower.StartedAsync();
        try
        {
            SandboxProcessSelector cat = SandboxProcessSelector.ByPid(pid);

            await client.Processes.SendInputAsync(cat, Encoding.UTF8.GetBytes("hello\n"), SandboxInputTarget.Stdin);
            await follower.ReadUntilAsync("hello\n");
            await client.Processes.SendInputAsync(cat, Encoding.UTF8.GetBytes("wörld €\n"), SandboxInputTarget.Stdin);
            Assert.Equal("hello\nwörld €\n", await follower.ReadUntilAsync("wörld €\n"));

            await client.Processes.SendSignalAsync(cat, SandboxSignal.Terminate);
            Assert.Equal("signal: terminated", (await follower.ExitAsync()).Status);
        }
        finally
        {
            await client.KillQuietlyAsync(pid);
        }
    }

    [Theory, AllProtocols]
    public async Task Input_of_the_wrong_kind_is_refused(SandboxProtocol protocol)
    {
        using SandboxClient client = agent.CreateClient(protocol);
        await using var pipes = new ProcessFollower(ct => client.Processes.StartAsync(new SandboxProcessStartInfo("cat"), ct));
        await using var terminal = new ProcessFollower(ct => client.Processes.StartAsync(new SandboxProcessStartInfo("cat") { Pty = SandboxTerminalSize.Default }, ct));
        uint pipePid = await pipes.StartedAsync();
        uint terminalPid = await terminal.StartedAsync();
        try
        {
            var toPipes = await Assert.ThrowsAsync<SandboxException>(() =>
                client.Processes.SendInputAsync(SandboxProcessSelector.ByPid(pipePid), [0x61], SandboxInputTarget.Pty));
            var toTerminal = await Assert.ThrowsAsync<SandboxException>(() =>
                client.Processes.SendInputAsync(SandboxProcessSelector.ByPid(terminalPid), [0x61], SandboxInputTarget.Stdin));

            Assert.Equal(SandboxErrorCode.FailedPrecondition, toPipes.Code);
            Assert.Equal($"pid {pipePid}", toPipes.Target);
            Assert.Contains("tty", toPipes.ServerMessage);
            Assert.Equal(SandboxErrorCode.FailedPrecondition, toTerminal.Code);
            Assert.Equal($"pid {terminalPid}", toTerminal.Target);
            Assert.Contains("stdin", toTerminal.ServerMessage);
        }
        finally
        {
            await client.KillQuietlyAsync(pipePid);
            await client.KillQuietlyAsync(terminalPid);
        }
    }

    [Fact]
    public async Task An_input_stream_over_grpc_delivers_every_byte_in_order()
    {
        using SandboxClient client = agent.CreateClient(SandboxProtocol.Grpc);
        // head exits after exactly this many bytes, so sha256sum sees the end of its input.
        const int Size = 1024 * 1024;
        byte[] payload = new byte[Size];
        new Random(99).NextBytes(payload);
        await using var follower = new ProcessFollower(ct => client.Processes.StartAsync(SandboxProcessStartInfo.ForCommand($"head -c {Size} | sha256sum"), ct));
        uint pid = await follower.StartedAsync();
        try
        {
            await using (SandboxProcessInputStream input = await client.Processes.OpenInputStreamAsync(SandboxProcessSelector.ByPid(pid), SandboxInputTarget.Stdin))
            {
                for (int offset = 0; offset < Size; offset += 60_000)
                {
                    await input.WriteAsync(payload[offset..Math.Min(Size, offset + 60_000)]);
                }
                await input.CompleteAsync();
                Assert.Equal(Size, input.BytesWritten);
            }

            SandboxProcessExit exit = await follower.ExitAsync();
            Assert.True(exit.Succeeded);
            Assert.StartsWith(Convert.ToHexString(SHA256.HashData(payload)).ToLowerInvariant(), follower.Text);
        }
        finally
        {
            await client.KillQuietlyAsync(pid);
        }
    }

    [Fact]
    public async Task An_input_stream_to_cat_is_echoed_and_can_go_to_a_terminal()
    {
        using SandboxClient client = agent.CreateClient(SandboxProtocol.Grpc);
        await using var follower = new ProcessFollower(ct => client.Processes.StartAsync(
            new SandboxProcessStartInfo("cat") { Pty = SandboxTerminalSize.Default, Tag = ProcessKit.UniqueTag("tty-cat") }, ct));
        uint pid = await follower.StartedAsync();
        try
        {
            await using SandboxProcessInputStream input = await client.Processes.OpenInputStreamAsync(SandboxProcessSelector.ByPid(pid), SandboxInputTarget.Pty);
            await input.WriteAsync("abc"u8.ToArray());
            await input.WriteAsync("def\r"u8.ToArray());
            await input.CompleteAsync();

            // The terminal echoes the line, then cat writes it back.
            string text = await follower.ReadUntilAsync("abcdef\r\nabcdef\r\n");
            Assert.Contains("abcdef", text);
            Assert.All(follower.Events.OfType<SandboxProcessOutput>(), o => Assert.Equal(SandboxProcessStream.Pty, o.Stream));
        }
        finally
        {
            await client.KillQuietlyAsync(pid);
        }
    }

    [Fact]
    public async Task An_input_stream_of_the_wrong_kind_fails_with_the_agents_reason()
    {
        using SandboxClient client = agent.CreateClient(SandboxProtocol.Grpc);
        await using var follower = new ProcessFollower(ct => client.Processes.StartAsync(new SandboxProcessStartInfo("cat"), ct));
        uint pid = await follower.StartedAsync();
        try
        {
            await using SandboxProcessInputStream input = await client.Processes.OpenInputStreamAsync(SandboxProcessSelector.ByPid(pid), SandboxInputTarget.Pty);

            var error = await Assert.ThrowsAsync<SandboxException>(async () =>
            {
                await input.WriteAsync("x"u8.ToArray());
                await input.CompleteAsync();
            });

            Assert.Equal(SandboxErrorCode.FailedPrecondition, error.Code);
            Assert.Equal($"pid {pid}", error.Target);
            Assert.Throws<InvalidOperationException>(() => input.WriteAsync("y"u8.ToArray()).GetAwaiter().GetResult());
        }
        finally
        {
            await client.KillQuietlyAsync(pid);
        }
    }

    [Theory]
    [InlineData(SandboxProtocol.GrpcWeb)]
    [InlineData(SandboxProtocol.Connect)]
    [InlineData(SandboxProtocol.ConnectJson)]
    public async Task An_input_stream_on_an_HTTP1_protocol_is_refused_before_anything_is_sent(SandboxProtocol protocol)
    {
        // Nothing listens on this port: the refusal must come before any connection attempt.
        var options = new SandboxClientOptions(SandboxEndpoint.Parse($"127.0.0.1:{ClosedPort.Find()}"), new AccessToken(agent.AccessToken))
        {
            Protocol = protocol,
        };
        using var client = new SandboxClient(options);

        var error = await Assert.ThrowsAsync<SandboxException>(() =>
            client.Processes.OpenInputStreamAsync(SandboxProcessSelector.ByPid(1234), SandboxInputTarget.Stdin));

        Assert.Equal(SandboxErrorCode.FailedPrecondition, error.Code);
        Assert.Equal("pid 1234", error.Target);
        Assert.Contains("Grpc protocol (HTTP/2)", error.Message);
        Assert.Contains("SendInputAsync", error.Message);
    }

    [Fact]
    public async Task An_input_stream_to_an_unknown_process_fails_when_opened()
    {
        using SandboxClient client = agent.CreateClient(SandboxProtocol.Grpc);

        var error = await Assert.ThrowsAsync<SandboxException>(() =>
            client.Processes.OpenInputStreamAsync(SandboxProcessSelector.ByTag(ProcessKit.UniqueTag("nobody")), SandboxInputTarget.Stdin));

        Assert.Equal(SandboxErrorCode.NotFound, error.Code);
    }
}

using System.Text;
using System.Text.RegularExpressions;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Processes;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.EndToEnd.Processes;

/// <summary>Processes in a pseudo-terminal: a real tty, the size asked for, resizing, and the SDK's shell.</summary>
[Collection(LocalAgentCollection.Name)]
public sealed class TerminalTests(LocalAgentFixture agent)
{
    [Theory, AllProtocols]
    public async Task A_process_in_a_terminal_has_a_tty_and_its_output_is_the_terminal_stream(SandboxProtocol protocol)
    {
        using SandboxClient client = agent.CreateClient(protocol);

        ProcessRun run = await client.Processes.RunAsync(new SandboxProcessStartInfo("tty") { Pty = SandboxTerminalSize.Default });

        Assert.True(run.Exit.Succeeded);
        Assert.StartsWith("/dev/pts/", run.Text(SandboxProcessStream.Pty));
        Assert.Empty(run.Outputs(SandboxProcessStream.Stdout));
        Assert.Empty(run.Outputs(SandboxProcessStream.Stderr));
    }

    [Theory, AllProtocols]
    public async Task The_terminal_has_the_size_asked_for_and_resizing_changes_it(SandboxProtocol protocol)
    {
        using SandboxClient client = agent.CreateClient(protocol);
        var info = new SandboxProcessStartInfo("/bin/bash", ["-c", "stty size; read line; stty size"]) { Pty = new SandboxTerminalSize(100, 30) };
        await using var follower = new ProcessFollower(ct => client.Processes.StartAsync(info, ct));
        uint pid = await follower.StartedAsync();
        try
        {
            var selector = SandboxProcessSelector.ByPid(pid);
            await follower.ReadUntilAsync("30 100");

            await client.Processes.ResizeAsync(selector, new SandboxTerminalSize(120, 40));
            await client.Processes.SendInputAsync(selector, "\r"u8.ToArray(), SandboxInputTarget.Pty);
            await follower.ReadUntilAsync("40 120");

            Assert.True((await follower.ExitAsync()).Succeeded);
            Assert.Equal(["30 100", "40 120"], Regex.Matches(follower.Text, @"\d+ \d+").Select(m => m.Value));
        }
        finally
        {
            await client.KillQuietlyAsync(pid);
        }
    }

    [Theory, AllProtocols]
    public async Task Resizing_a_process_without_a_terminal_is_refused(SandboxProtocol protocol)
    {
        using SandboxClient client = agent.CreateClient(protocol);
        await using var follower = new ProcessFollower(ct => client.Processes.StartAsync(new SandboxProcessStartInfo("cat"), ct));
        uint pid = await follower.StartedAsync();
        try
        {
            var error = await Assert.ThrowsAsync<SandboxException>(() =>
                client.Processes.ResizeAsync(SandboxProcessSelector.ByPid(pid), new SandboxTerminalSize(100, 30)));

            Assert.Equal(SandboxErrorCode.FailedPrecondition, error.Code);
            Assert.Equal($"pid {pid}", error.Target);
        }
        finally
        {
            await client.KillQuietlyAsync(pid);
        }
    }

    [Fact]
    public async Task The_SDK_shell_is_an_interactive_bash_in_an_xterm()
    {
        using SandboxClient client = agent.CreateClient(SandboxProtocol.Grpc);
        await using var follower = new ProcessFollower(ct => client.Processes.StartAsync(SandboxProcessStartInfo.ForShell(), ct));
        uint pid = await follower.StartedAsync();
        try
        {
            await client.Processes.SendInputAsync(SandboxProcessSelector.ByPid(pid),
                Encoding.UTF8.GetBytes("echo \"term=$TERM size=$(stty size) i=${-//[^i]/}\"; exit 0\r"), SandboxInputTarget.Pty);

            await follower.ReadUntilAsync("term=xterm-256color size=24 80 i=i");
            Assert.True((await follower.ExitAsync()).Succeeded);
        }
        finally
        {
            await client.KillQuietlyAsync(pid);
        }
    }
}

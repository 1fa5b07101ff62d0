using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Processes;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.EndToEnd.Processes;

/// <summary>An unknown pid or tag is NotFound on every call, with the selector as the target.</summary>
[Collection(LocalAgentCollection.Name)]
public sealed class ProcessErrorTests(LocalAgentFixture agent)
{
    // Above the kernel's pid_max (at most 2^22): never a real process.
    static readonly SandboxProcessSelector UnknownPid = SandboxProcessSelector.ByPid(4_999_999);

    public static TheoryData<SandboxProtocol, bool> Cases()
    {
        var cases = new TheoryData<SandboxProtocol, bool>();
        foreach (SandboxProtocol protocol in AllProtocolsAttribute.Protocols)
        {
            cases.Add(protocol, true);
            cases.Add(protocol, false);
        }
        return cases;
    }

    [Theory, MemberData(nameof(Cases))]
    public async Task An_unknown_process_is_not_found_on_every_call(SandboxProtocol protocol, bool byPid)
    {
        using SandboxClient client = agent.CreateClient(protocol);
        SandboxProcessSelector selector = byPid ? UnknownPid : SandboxProcessSelector.ByTag(ProcessKit.UniqueTag("nobody"));
        using var patience = new CancellationTokenSource(ProcessKit.Patience);

        var calls = new Dictionary<string, Func<Task>>
        {
            ["connect"] = async () =>
            {
                await foreach (SandboxProcessEvent e in client.Processes.ConnectAsync(selector, patience.Token))
                {
                }
            },
            ["wait"] = () => client.Processes.WaitAsync(selector, patience.Token),
            ["signal"] = () => client.Processes.SendSignalAsync(selector, SandboxSignal.Terminate, patience.Token),
            ["input"] = () => client.Processes.SendInputAsync(selector, [0x61], SandboxInputTarget.Stdin, patience.Token),
            ["resize"] = () => client.Processes.ResizeAsync(selector, SandboxTerminalSize.Default, patience.Token),
        };
        foreach ((string name, Func<Task> call) in calls)
        {
            var error = await Assert.ThrowsAsync<SandboxException>(call);
            Assert.True(SandboxErrorCode.NotFound == error.Code, $"{name}: {error.Code} {error.Message}");
            Assert.Equal(selector.ToString(), error.Target);
            Assert.Contains("not found", error.ServerMessage);
        }
    }

    [Theory, AllProtocols]
    public async Task Signalling_a_process_that_has_ended_is_a_failed_precondition(SandboxProtocol protocol)
    {
        using SandboxClient client = agent.CreateClient(protocol);
        ProcessRun run = await client.Processes.RunAsync("true");

        var error = await Assert.ThrowsAsync<SandboxException>(() =>
            client.Processes.SendSignalAsync(SandboxProcessSelector.ByPid(run.Pid), SandboxSignal.Kill));

        Assert.Equal(SandboxErrorCode.FailedPrecondition, error.Code);
        Assert.Equal($"pid {run.Pid}", error.Target);
    }
}

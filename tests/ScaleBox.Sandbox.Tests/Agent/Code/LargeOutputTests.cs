using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Protocol;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.Agent.Code;

/// <summary>20 MB printed by a kernel arrives whole and in order.</summary>
[Collection(LocalAgentCollection.Name)]
public sealed class LargeOutputTests(LocalAgentFixture agent)
{
    [PythonKernelTheory, BothProtocols]
    public async Task Twenty_megabytes_printed_arrive_whole_and_in_order(SandboxProtocol protocol)
    {
        using var rpc = new CodeRpc(agent, protocol);
        Context context = await rpc.CreateAsync();
        const int Lines = 262_144; // 80 bytes a line: 20 MiB

        CodeRun run = (await rpc.RunAsync(context.Id, $"for i in range({Lines}):\n    print(f'{{i:079d}}')")).Ok();

        string stdout = run.Stdout;
        Assert.Equal(Lines * 80, stdout.Length);
        for (int i = 0; i < Lines; i += 997)
        {
            Assert.Equal(i.ToString("D79") + "\n", stdout.Substring(i * 80, 80));
        }
        Assert.Equal((Lines - 1).ToString("D79") + "\n", stdout[^80..]);
    }
}

using System.Text.Json;
using ScaleBox.Sandbox.Agent.Code;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Protocol;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.Agent.Code;

/// <summary>
/// Starting Jupyter kernels: many at the same moment (as parallel tests and parallel users do), and
/// a kernel that dies before it is ready.
/// </summary>
[Collection(LocalAgentCollection.Name)]
public sealed class KernelStartTests(LocalAgentFixture agent) : IDisposable
{
    const int AtOnce = 12;
    const int Rounds = 3;
    readonly string _root = Directory.CreateTempSubdirectory("sbx-kernel-start-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [PythonKernelFact]
    public async Task Python_contexts_started_at_the_same_moment_all_start_and_answer()
    {
        for (int round = 0; round < Rounds; round++)
        {
            var rpcs = Enumerable.Range(0, AtOnce).Select(_ => new CodeRpc(agent, SandboxProtocol.GrpcWeb)).ToList();
            try
            {
                Context[] contexts = await Task.WhenAll(rpcs.Select(rpc => rpc.CreateAsync()));
                CodeRun[] runs = await Task.WhenAll(rpcs.Select((rpc, i) => rpc.RunAsync(contexts[i].Id, $"{i} * 2")));

                Assert.Equal(Enumerable.Range(0, AtOnce).Select(i => (i * 2).ToString()), runs.Select(run => run.Ok().Main!.Text));
            }
            finally
            {
                rpcs.ForEach(rpc => rpc.Dispose());
            }
        }
    }

    [PythonKernelFact]
    public async Task A_Python_kernel_is_reached_over_unix_sockets_so_no_tcp_port_can_be_taken_from_it()
    {
        using var rpc = new CodeRpc(agent, SandboxProtocol.GrpcWeb);
        Context context = await rpc.CreateAsync();

        CodeRun run = await rpc.RunAsync(context.Id, "from ipykernel.connect import get_connection_info\nget_connection_info(unpack=True)['transport']");

        Assert.Equal("ipc", run.Ok().Main!.Text);
    }

    [PythonKernelFact]
    public async Task A_kernel_that_dies_before_it_is_ready_is_started_again()
    {
        string spec = WriteKernelSpec(diesOnStarts: 1);

        await using KernelBridge bridge = await KernelBridge.StartAsync(new CodeLanguage("dying", RunnerKind.Jupyter, spec), _root, CancellationToken.None);
        await bridge.ExecuteAsync("21 * 2", new Dictionary<string, string>());

        Assert.Equal("42", await MainResultAsync(bridge));
        Assert.Equal(2, Starts);
    }

    [PythonKernelFact]
    public async Task A_kernel_that_keeps_dying_is_given_up_after_three_starts_saying_so()
    {
        string spec = WriteKernelSpec(diesOnStarts: int.MaxValue);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(
            () => KernelBridge.StartAsync(new CodeLanguage("dying", RunnerKind.Jupyter, spec), _root, CancellationToken.None));

        Assert.Contains("the kernel did not start", e.Message);
        Assert.Contains("died", e.Message);
        Assert.Equal(3, Starts);
    }

    [PythonKernelFact]
    public async Task A_Python_runner_that_had_to_be_killed_leaves_no_socket_folder_behind()
    {
        KernelBridge bridge = await KernelBridge.StartAsync(CodeLanguage.Resolve("python"), _root, CancellationToken.None);
        string folder = bridge.SocketFolder!;
        Assert.True(Directory.Exists(folder));
        Assert.NotEmpty(Directory.GetFileSystemEntries(folder)); // the kernel's sockets and connection file

        // As when the runner outlives its grace: killed, with no chance to clean up after itself.
        using (var runner = System.Diagnostics.Process.GetProcessById(bridge.Pid))
        {
            runner.Kill(entireProcessTree: true);
            await runner.WaitForExitAsync();
        }
        Assert.True(Directory.Exists(folder));
        await bridge.DisposeAsync();

        Assert.False(Directory.Exists(folder));
    }

    int Starts => File.ReadAllLines(Path.Combine(_root, "starts")).Length;

    /// <summary>
    /// A kernelspec (language "dying", so the bridge reaches it over TCP as it does non-Python
    /// kernels) whose launcher exits at once on its first <paramref name="diesOnStarts"/> starts
    /// and runs ipykernel after that; every start is counted in a file.
    /// </summary>
    string WriteKernelSpec(int diesOnStarts)
    {
        string spec = Directory.CreateDirectory(Path.Combine(_root, "spec")).FullName;
        string starts = Path.Combine(_root, "starts");
        string launcher = Path.Combine(spec, "launch.sh");
        File.WriteAllText(launcher,
            $"echo start >> '{starts}'\n" +
            $"[ \"$(wc -l < '{starts}')\" -le {Math.Min(diesOnStarts, 1000)} ] && exit 3\n" +
            "exec /usr/bin/python3 -m ipykernel_launcher -f \"$1\"\n");
        File.WriteAllText(Path.Combine(spec, "kernel.json"), JsonSerializer.Serialize(new
        {
            argv = new[] { "/bin/sh", launcher, "{connection_file}" },
            display_name = "Dies while starting",
            language = "dying",
        }));
        return spec;
    }

    static async Task<string> MainResultAsync(KernelBridge bridge)
    {
        using var patience = new CancellationTokenSource(CodeRpc.Patience);
        string? result = null;
        await foreach (JsonElement e in bridge.Events.ReadAllAsync(patience.Token))
        {
            switch (KernelBridge.Event(e))
            {
                case "result":
                    result = e.GetProperty("data").GetProperty("text/plain").GetString();
                    break;
                case "done":
                    return result ?? throw new InvalidOperationException("the execution had no result");
                case "error" or "died":
                    throw new InvalidOperationException(e.ToString());
            }
        }
        throw new InvalidOperationException("the bridge ended before the execution was done");
    }
}

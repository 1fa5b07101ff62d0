using System.Net;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Web;
using ScaleBox.Sandbox.Protocol;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.Agent.Code;

/// <summary>An agent that stops shuts its kernels down: no kernel outlives it.</summary>
public sealed class AgentShutdownTests
{
    [PythonKernelFact]
    public async Task Stopping_the_agent_ends_its_kernels()
    {
        string home = Path.Combine(Path.GetTempPath(), "sbx-code-stop-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(home);
        try
        {
            const string Token = "code-stop-token";
            await using var agent = AgentProcess.Start(["--port", "0", "--token", Token, "--home", home], tokenVariable: null);
            using var channel = GrpcChannel.ForAddress(await agent.ReadListeningAddressAsync(), new GrpcChannelOptions
            {
                HttpHandler = new GrpcWebHandler(GrpcWebMode.GrpcWeb, new SocketsHttpHandler()),
                HttpVersion = HttpVersion.Version11,
            });
            var options = new CallOptions(new Metadata { { "X-Access-Token", Token } }, DateTime.UtcNow + CodeRpc.Patience);
            Context context = await new ContextService.ContextServiceClient(channel).CreateContextAsync(new CreateContextRequest { Language = "python" }, options);
            using AsyncServerStreamingCall<ExecuteResponse> call = new ExecutionService.ExecutionServiceClient(channel)
                .Execute(new ExecuteRequest { ContextId = context.Id, Code = "import os\nos.getpid()" }, options);
            var results = new List<ExecuteResponse>();
            await foreach (ExecuteResponse e in call.ResponseStream.ReadAllAsync()) results.Add(e);
            int kernel = int.Parse(Assert.Single(results).Result.Text);
            Assert.True(Directory.Exists($"/proc/{kernel}"));

            (int exitCode, _) = await agent.StopAsync();

            Assert.Equal(0, exitCode);
            using var patience = new CancellationTokenSource(CodeRpc.Patience);
            while (Directory.Exists($"/proc/{kernel}") && !IsZombie(kernel))
            {
                await Task.Delay(50, patience.Token);
            }
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    static bool IsZombie(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/stat").Split(')')[1].TrimStart().StartsWith('Z'); }
        catch (IOException) { return true; }
    }
}

using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.Agent.Watch;

/// <summary>An idle agent holds no inotify watch, whatever folder it is started from: the user's limit is for their watches.</summary>
public sealed class IdleWatchTests
{
    [Fact]
    public async Task An_agent_started_in_a_large_folder_holds_no_inotify_watch()
    {
        string folder = Path.Combine(Path.GetTempPath(), "sbx-idle-" + Guid.NewGuid().ToString("N"));
        for (int i = 0; i < 40; i++)
        {
            Directory.CreateDirectory(Path.Combine(folder, $"sub{i}", "deeper"));
        }
        try
        {
            await using AgentProcess agent = AgentProcess.Start(["--port", "0", "--token", "t0ken", "--home", folder], tokenVariable: null, workingDirectory: folder);
            Assert.StartsWith("Listening on ", await agent.ReadLineAsync());
            await agent.ReadLineStartingWithAsync("Home ");
            Assert.Equal(0, InotifyWatches.Count(agent.Pid));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}

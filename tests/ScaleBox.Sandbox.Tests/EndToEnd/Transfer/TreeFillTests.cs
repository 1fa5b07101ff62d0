using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Transfer;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.EndToEnd.Transfer;

/// <summary>
/// A tree's destination is made alongside its folders and files (TreeFill): its failure still ends
/// the copy with its own error, and stops the steps already running rather than leaving them to
/// fail one by one. The destination's MakeDir goes to the local agent; the steps stand in for
/// uploads that would take long.
/// </summary>
[Collection(LocalAgentCollection.Name)]
public sealed class TreeFillTests(LocalAgentFixture agent)
{
    [Theory]
    [InlineData(SandboxProtocol.GrpcWeb, false)]
    [InlineData(SandboxProtocol.Connect, true)]
    public async Task A_destination_that_cannot_be_made_ends_the_run_with_its_error_and_stops_the_steps(SandboxProtocol protocol, bool foldersFirst)
    {
        string file = Path.Combine(agent.NewFolder("fill-below-file"), "file.txt");
        await File.WriteAllTextAsync(file, "in the way");
        string root = file + "/tree";
        using SandboxClient client = agent.CreateClient(protocol);
        int stepsStarted = 0, stepsEnded = 0;
        async Task<SandboxTransferOutcome> RunsUntilStopped(string entry, CancellationToken token)
        {
            Interlocked.Increment(ref stepsStarted);
            try
            {
                await Task.Delay(Timeout.Infinite, token);
                return new SandboxTransferOutcome { Source = entry };
            }
            finally
            {
                Interlocked.Increment(ref stepsEnded);
            }
        }

        var run = async () =>
        {
            await foreach (SandboxTransferOutcome _ in TreeFill.RunAsync(client, root, rootExists: false, ["folder"], ["one", "two"], 2, foldersFirst,
                RunsUntilStopped, RunsUntilStopped, CancellationToken.None))
            {
            }
        };

        SandboxException failure = await Assert.ThrowsAsync<SandboxException>(() => run().WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.NotEqual(SandboxErrorCode.Cancelled, failure.Code);
        // However many steps had started before the destination's answer (it may come first), each has
        // ended: none is left running, and without the stop none would end (the run would hang).
        Assert.Equal(stepsStarted, stepsEnded);
        Assert.False(Directory.Exists(root));
    }

    [Fact]
    public async Task A_destination_with_nothing_to_place_in_it_is_still_made()
    {
        string root = Path.Combine(agent.NewFolder("fill-empty"), "made/deeper");
        using SandboxClient client = agent.CreateClient(SandboxProtocol.GrpcWeb);
        Func<string, CancellationToken, Task<SandboxTransferOutcome>> unused = (_, _) => throw new InvalidOperationException("nothing to place");

        await foreach (SandboxTransferOutcome _ in TreeFill.RunAsync(client, root, rootExists: false, Array.Empty<string>(), Array.Empty<string>(), 8, foldersFirst: false,
            unused, unused, CancellationToken.None))
        {
            Assert.Fail("no outcome is expected");
        }

        Assert.True(Directory.Exists(root));
    }
}

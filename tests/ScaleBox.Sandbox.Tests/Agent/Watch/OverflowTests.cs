using Grpc.Core;
using ScaleBox.Sandbox.Agent.Watch;
using ScaleBox.Sandbox.Tests.Agent.Processes;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.Agent.Watch;

/// <summary>
/// A real kernel queue overflow (IN_Q_OVERFLOW): a watch stream whose client reads nothing, with
/// room for one event, holds the inotify reader, the kernel's queue fills past
/// fs.inotify.max_queued_events, and the stream ends with resource_exhausted naming the overflow.
/// </summary>
[Collection(LocalAgentCollection.Name)]
public sealed class OverflowTests(LocalAgentFixture agent)
{
    static int MaxQueuedEvents() => int.Parse(File.ReadAllText("/proc/sys/fs/inotify/max_queued_events").Trim());

    [Fact]
    public async Task A_stream_whose_kernel_queue_overflowed_ends_with_resource_exhausted()
    {
        string folder = agent.NewFolder("overflow");
        var stream = new WatchStream(folder, capacity: 1);
        using DirectoryWatch watch = DirectoryWatch.Start(folder, recursive: false, stream);

        int beyond = MaxQueuedEvents() + 500;
        for (int i = 0; i < beyond; i++)
        {
            WatchRpc.MakeEmptyFile(Path.Combine(folder, $"f{i:D6}"));
        }

        using var timeout = new CancellationTokenSource(ProcessRpc.Patience);
        int read = 0;
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var _ in stream.Events.ReadAllAsync(timeout.Token)) read++;
        });

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains("overflowed", error.Status.Detail);
        Assert.Contains("max_queued_events", error.Status.Detail);
        Assert.True(read < beyond, $"all {read} events arrived, so none was lost");
    }
}

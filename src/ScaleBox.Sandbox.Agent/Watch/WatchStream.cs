using System.Threading.Channels;
using ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Agent.Watch;

/// <summary>
/// The sink of one WatchDir call: a bounded queue between the inotify reader and the response
/// stream. A client too slow to keep up fills it; the reader then waits, the kernel queues behind
/// it, and if the kernel's queue overflows too the stream ends with a resource_exhausted status
/// (see <see cref="InotifyLimits.Overflowed"/>) instead of silently missing events.
/// </summary>
/// <param name="capacity">Events held for the client beyond what the kernel holds: generous, yet bounded.</param>
sealed class WatchStream(string path, int capacity = 64 * 1024) : IWatchSink
{
    readonly Channel<WatchDirResponse> _events = Channel.CreateBounded<WatchDirResponse>(new BoundedChannelOptions(capacity)
    {
        SingleReader = true,
        SingleWriter = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    /// <summary>The filesystem events; completes when the watched folder goes away, faults on overflow.</summary>
    public ChannelReader<WatchDirResponse> Events => _events.Reader;

    public void Deliver(FilesystemEvent e, CancellationToken stopping)
    {
        var response = new WatchDirResponse { Filesystem = e };
        while (!_events.Writer.TryWrite(response))
        {
            if (!_events.Writer.WaitToWriteAsync(stopping).AsTask().GetAwaiter().GetResult())
            {
                return; // already ended (overflowed): the rest is not wanted
            }
        }
    }

    public void Overflowed() => _events.Writer.TryComplete(InotifyLimits.Overflowed(path));

    public void Ended() => _events.Writer.TryComplete();
}

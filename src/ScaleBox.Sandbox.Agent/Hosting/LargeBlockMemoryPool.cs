using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;

namespace ScaleBox.Sandbox.Agent.Hosting;

/// <summary>
/// Kestrel's memory pool with blocks of 64 KiB instead of 4 KiB. A socket read fills at most one
/// block, so with the default a 1 GiB upload costs a quarter of a million receive calls, and on a
/// virtual machine each system call is dear; with these blocks it costs 16 times fewer. An agent
/// serves a handful of connections, so the larger blocks cost little memory.
/// </summary>
public sealed class LargeBlockMemoryPool : MemoryPool<byte>
{
    public const int BlockSize = 64 * 1024;

    // Blocks kept for reuse beyond this are left to the collector: a burst does not pin memory for good.
    const int MaxPooledBlocks = 256;

    readonly ConcurrentQueue<byte[]> _free = new();

    public override int MaxBufferSize => BlockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        // Pinned, as Kestrel's own blocks are, so that socket calls need not pin them each time.
        byte[] array = _free.TryDequeue(out byte[]? reused) ? reused : GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true);
        return new Block(this, array);
    }

    protected override void Dispose(bool disposing) => _free.Clear();

    void Return(byte[] array)
    {
        if (_free.Count < MaxPooledBlocks)
        {
            _free.Enqueue(array);
        }
    }

    sealed class Block(LargeBlockMemoryPool pool, byte[] array) : IMemoryOwner<byte>
    {
        byte[]? _array = array;

        public Memory<byte> Memory => MemoryMarshal.CreateFromPinnedArray(
            _array ?? throw new ObjectDisposedException(nameof(Block)), 0, BlockSize);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _array, null) is { } returned)
            {
                pool.Return(returned);
            }
        }
    }

    /// <summary>What Kestrel asks for its pools (one per transport and per connection queue).</summary>
    public sealed class Factory : IMemoryPoolFactory<byte>
    {
        public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new LargeBlockMemoryPool();
    }
}

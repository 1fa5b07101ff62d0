using System.Buffers;
using System.Runtime.InteropServices;
using ScaleBox.Sandbox.Agent.Hosting;

namespace ScaleBox.Sandbox.Tests.Agent;

public sealed class LargeBlockMemoryPoolTests
{
    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    [InlineData(4096)]
    [InlineData(LargeBlockMemoryPool.BlockSize)]
    public void Every_block_is_whole_whatever_was_asked(int size)
    {
        using var pool = new LargeBlockMemoryPool();
        using IMemoryOwner<byte> block = pool.Rent(size);

        Assert.Equal(LargeBlockMemoryPool.BlockSize, block.Memory.Length);
        Assert.Equal(LargeBlockMemoryPool.BlockSize, pool.MaxBufferSize);
    }

    [Fact]
    public void More_than_a_block_is_refused()
    {
        using var pool = new LargeBlockMemoryPool();

        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(LargeBlockMemoryPool.BlockSize + 1));
    }

    [Fact]
    public void A_returned_block_is_lent_again_once_even_if_disposed_twice()
    {
        using var pool = new LargeBlockMemoryPool();
        IMemoryOwner<byte> first = pool.Rent();
        byte[] array = ArrayOf(first);

        first.Dispose();
        first.Dispose();
        using IMemoryOwner<byte> second = pool.Rent();
        using IMemoryOwner<byte> third = pool.Rent();

        Assert.Same(array, ArrayOf(second));
        Assert.NotSame(array, ArrayOf(third));
        Assert.Throws<ObjectDisposedException>(() => first.Memory);
    }

    static byte[] ArrayOf(IMemoryOwner<byte> block) =>
        MemoryMarshal.TryGetArray(block.Memory, out ArraySegment<byte> segment) ? segment.Array! : throw new InvalidOperationException("not array-backed");
}

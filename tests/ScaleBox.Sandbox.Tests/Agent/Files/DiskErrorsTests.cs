using ScaleBox.Sandbox.Agent.Files;

namespace ScaleBox.Sandbox.Tests.Agent.Files;

/// <summary>
/// A full disk answers 507. /dev/full fails every write with ENOSPC, so it shows, without filling a
/// real disk, that the IOException .NET raises for ENOSPC is the one the upload maps to 507.
/// </summary>
public sealed class DiskErrorsTests
{
    [Fact]
    public void A_write_that_fails_with_ENOSPC_is_507()
    {
        Assert.True(File.Exists("/dev/full"), "this Linux machine has no /dev/full");
        IOException failure = Assert.ThrowsAny<IOException>(() =>
        {
            using var full = new FileStream("/dev/full", FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
            full.Write([1, 2, 3]);
        });

        Assert.True(DiskErrors.IsDiskFull(failure));
        FileEndpointException answer = DiskErrors.Writing(failure);
        Assert.Equal(507, answer.StatusCode);
        Assert.Equal("not enough disk space available", answer.Message);
    }

    [Fact]
    public void Other_write_failures_are_500()
    {
        Assert.Equal(500, DiskErrors.Writing(new IOException("Input/output error", 5)).StatusCode);
        Assert.Equal(500, DiskErrors.Writing(new UnauthorizedAccessException("denied")).StatusCode);
    }
}

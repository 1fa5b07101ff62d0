using System.Security.Cryptography;

namespace ScaleBox.Sandbox.Tests.EndToEnd.Transfer;

/// <summary>Local scratch space and content helpers for the transfer tests.</summary>
public sealed class TransferFiles : IDisposable
{
    /// <summary>A local folder of its own (outside the agent's home): the "client machine" side.</summary>
    public string Root { get; } = Directory.CreateTempSubdirectory("sbx-transfer-local-").FullName;

    public string PathOf(string name) => Path.Combine(Root, name);

    /// <summary>A new empty local folder below <see cref="Root"/>.</summary>
    public string NewFolder(string name) => Directory.CreateDirectory(Path.Combine(Root, name + "-" + Guid.NewGuid().ToString("N")[..6])).FullName;

    /// <summary>Writes <paramref name="length"/> pseudo-random bytes in 1 MiB chunks (never the whole file in memory).</summary>
    public static string WriteRandom(string path, long length, int seed = 1)
    {
        var random = new Random(seed);
        var chunk = new byte[1024 * 1024];
        // Shared, so a test can rewrite a file that the agent is serving at that moment.
        using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 1))
        {
            for (long left = length; left > 0; left -= chunk.Length)
            {
                random.NextBytes(chunk);
                file.Write(chunk, 0, (int)Math.Min(chunk.Length, left));
            }
        }
        return path;
    }

    /// <summary>Lowercase hex SHA-256 of a file, streamed.</summary>
    public static string Sha256(string path)
    {
        using var file = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(file)).ToLowerInvariant();
    }

    public static string Sha256(byte[] content) => Convert.ToHexString(SHA256.HashData(content)).ToLowerInvariant();

    /// <summary>Files whose names show they are a transfer's staging files.</summary>
    public static string[] StagingFiles(string directory) =>
        Directory.Exists(directory)
            ? Directory.GetFiles(directory, "*", SearchOption.AllDirectories).Where(f => Path.GetFileName(f).Contains(".sbxpart-", StringComparison.Ordinal)).ToArray()
            : [];

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>An IProgress that records every report synchronously (Progress&lt;T&gt; would post them).</summary>
public sealed class RecordingProgress<T> : IProgress<T>
{
    readonly List<T> _values = [];

    public IReadOnlyList<T> Values
    {
        get { lock (_values) { return _values.ToList(); } }
    }

    public void Report(T value)
    {
        lock (_values) { _values.Add(value); }
    }
}

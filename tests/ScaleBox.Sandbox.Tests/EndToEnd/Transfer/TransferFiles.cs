using System.Security.Cryptography;
using ScaleBox.Sandbox.Client.Transfer;

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

    /// <summary>Folder names that trip naive path handling: a space, '#', '%', non-ASCII, and nesting.</summary>
    public static readonly string[] AwkwardFolders = ["plain", "with space", "hash #1", "per%cent", "ünï cødé", "a/b/deep", "a/b/deep/er"];

    /// <summary>
    /// A new folder of <paramref name="fileCount"/> random files of mixed sizes (empty to
    /// <paramref name="largest"/> bytes) spread over <see cref="AwkwardFolders"/>, plus empty folders;
    /// with <paramref name="longNames"/>, every fourth name is 120 characters longer.
    /// </summary>
    public string NewAwkwardTree(string name, int fileCount, int largest, bool longNames = false)
    {
        string root = NewFolder(name);
        foreach (string folder in AwkwardFolders)
        {
            Directory.CreateDirectory(Path.Combine(root, folder));
        }
        Directory.CreateDirectory(Path.Combine(root, "empty"));
        Directory.CreateDirectory(Path.Combine(root, "empty #2", "inside empty"));
        string tail = longNames ? " " + new string('n', 120) : "";
        for (int i = 0; i < fileCount; i++)
        {
            string folder = AwkwardFolders[i % AwkwardFolders.Length];
            int length = i % 10 == 9 ? largest : i % 3 == 0 ? 0 : 4096 + i;
            string file = (i % 4) switch { 0 => $"f{i}.txt", 1 => $"file {i} #.bin", 2 => $"{i}%20é.dat", _ => $"ü{i}{tail}" };
            WriteRandom(Path.Combine(root, folder, file), length, i + 1);
        }
        return root;
    }

    /// <summary>Every file below <paramref name="root"/> by its relative path, with its SHA-256.</summary>
    public static Dictionary<string, string> TreeHashes(string root) =>
        Directory.GetFiles(root, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(root, f).Replace('\\', '/'), Sha256);

    /// <summary>Every folder below <paramref name="root"/>, relative, in ordinal order.</summary>
    public static string[] TreeFolders(string root) =>
        Directory.GetDirectories(root, "*", SearchOption.AllDirectories)
            .Select(d => Path.GetRelativePath(root, d).Replace('\\', '/')).Order(StringComparer.Ordinal).ToArray();

    /// <summary>
    /// Staging entries of the client (".sbxpart-", files and a packed copy's directories) or the
    /// agent (".sbx-upload-") anywhere below <paramref name="root"/>: none may outlive a copy.
    /// </summary>
    public static string[] StagingEntries(string root) =>
        Directory.Exists(root)
            ? Directory.GetFileSystemEntries(root, "*", SearchOption.AllDirectories)
                .Where(f => Path.GetFileName(f).Contains(".sbxpart-", StringComparison.Ordinal) || Path.GetFileName(f).StartsWith(".sbx-upload-", StringComparison.Ordinal))
                .ToArray()
            : [];

    /// <summary>No staging entry below <paramref name="root"/>, allowing the agent a bounded moment (15 s) to remove its own once it sees a request aborted.</summary>
    public static async Task AssertNoStagingAsync(string root)
    {
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (StagingEntries(root).Length > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        Assert.Empty(StagingEntries(root));
    }

    /// <summary>Files whose names show they are a transfer's staging files.</summary>
    public static string[] StagingFiles(string directory) =>
        Directory.Exists(directory)
            ? Directory.GetFiles(directory, "*", SearchOption.AllDirectories).Where(f => Path.GetFileName(f).Contains(".sbxpart-", StringComparison.Ordinal)).ToArray()
            : [];

    /// <summary>Every outcome of a tree copy, in the order the copy gave them.</summary>
    public static async Task<List<SandboxTransferOutcome>> ToListAsync(IAsyncEnumerable<SandboxTransferOutcome> outcomes)
    {
        var list = new List<SandboxTransferOutcome>();
        await foreach (SandboxTransferOutcome outcome in outcomes)
        {
            list.Add(outcome);
        }
        return list;
    }

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

using System.Security.Cryptography;
using ScaleBox.Sandbox.Agent.Hosting;

namespace ScaleBox.Sandbox.Agent.Files;

/// <summary>
/// Remembers, outside the folders uploads go to, which staging files this agent has open, so that
/// the files a crashed or killed agent left behind are found and removed when an agent starts again.
/// <para>
/// Layout: <c>&lt;state&gt;/uploads/&lt;run&gt;/</c> per running agent, holding a <c>lock</c> file
/// the agent keeps locked for its whole life (an advisory lock the kernel drops when the process
/// dies, however it dies) and one small file per staging file, naming it. At start, every run
/// folder whose lock can be taken belongs to a dead agent: the staging files it names are deleted,
/// then the folder. Agents running side by side never sweep each other's files: a run folder is
/// locked before it gets its name (see <see cref="UnfinishedRunPrefix"/>).
/// </para>
/// </summary>
public sealed class StagingJournal : IDisposable
{
    const string LockName = "lock";

    /// <summary>
    /// A run folder is made and locked under this prefix, then renamed: a sweep running in another
    /// agent at that moment would otherwise find it unlocked, take it for a dead run and remove it.
    /// </summary>
    internal const string UnfinishedRunPrefix = ".new-";

    /// <summary>A half-made run folder this old belongs to an agent killed while starting.</summary>
    static readonly TimeSpan UnfinishedRunAge = TimeSpan.FromMinutes(1);

    readonly string _runDirectory;
    readonly FileStream _lock;

    public StagingJournal(AgentOptions options)
    {
        string root = Path.Combine(options.StateDirectory ?? AgentOptions.DefaultStateDirectory(), "uploads");
        try
        {
            Directory.CreateDirectory(root);
        }
        catch (Exception e) when (options.StateDirectory is null && e is IOException or UnauthorizedAccessException)
        {
            // No writable home (a service account, a read-only image): the temp folder still survives an agent crash.
            root = Path.Combine(Path.GetTempPath(), "scalebox-sandbox-agent-" + Environment.UserName, "uploads");
            Directory.CreateDirectory(root);
        }
        string runName = Environment.ProcessId + "-" + RandomName();
        string unfinished = Path.Combine(root, UnfinishedRunPrefix + runName);
        Directory.CreateDirectory(unfinished);
        _lock = TryLock(unfinished) ?? throw new IOException($"cannot lock the upload journal in {unfinished}");
        _runDirectory = Path.Combine(root, runName);
        Directory.Move(unfinished, _runDirectory); // the open lock moves with it
        Swept = SweepAbandoned(root);
    }

    /// <summary>How many staging files of dead agents were removed at start.</summary>
    public int Swept { get; }

    /// <summary>Notes that <paramref name="stagingPath"/> is about to be created; dispose the entry once it is gone or renamed.</summary>
    public IDisposable Record(string stagingPath)
    {
        string entry = Path.Combine(_runDirectory, RandomName());
        File.WriteAllText(entry, stagingPath);
        return new Entry(entry);
    }

    static int SweepAbandoned(string root)
    {
        int removed = 0;
        foreach (string run in Directory.EnumerateDirectories(root))
        {
            if (Path.GetFileName(run).StartsWith(UnfinishedRunPrefix, StringComparison.Ordinal)
                && DateTime.UtcNow - Directory.GetLastWriteTimeUtc(run) < UnfinishedRunAge)
            {
                continue; // an agent starting now, not yet holding its lock
            }
            using FileStream? owner = TryLock(run);
            if (owner is null)
            {
                continue; // a live agent holds it
            }
            foreach (string entry in Directory.EnumerateFiles(run).Where(f => Path.GetFileName(f) != LockName))
            {
                try
                {
                    string staged = File.ReadAllText(entry).Trim();
                    // Only ever a staging file: an entry cannot be used to delete anything else.
                    if (Path.GetFileName(staged).StartsWith(StagedFile.TemporaryPrefix, StringComparison.Ordinal) && File.Exists(staged))
                    {
                        File.Delete(staged);
                        removed++;
                    }
                    File.Delete(entry);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Left for the next start; one bad entry must not stop the agent.
                }
            }
            owner.Dispose();
            TryDeleteDirectory(run);
        }
        return removed;
    }

    /// <summary>The run's lock, taken (an exclusive advisory lock: FileShare.None), or null while another process holds it.</summary>
    static FileStream? TryLock(string run)
    {
        try
        {
            return new FileStream(Path.Combine(run, LockName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null; // another user's agent
        }
    }

    static void TryDeleteDirectory(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    static string RandomName() => Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant();

    public void Dispose()
    {
        _lock.Dispose();
        TryDeleteDirectory(_runDirectory);
    }

    sealed class Entry(string path) : IDisposable
    {
        public void Dispose()
        {
            try
            {
                File.Delete(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
    }
}

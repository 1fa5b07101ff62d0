using System.Security.Cryptography;
using System.Text;
using ScaleBox.Sandbox.Agent.Hosting;

namespace ScaleBox.Sandbox.Agent.Files;

/// <summary>
/// Remembers, outside the folders uploads go to, which staging files this agent has open, so that
/// the files a crashed or killed agent left behind are found and removed when an agent starts again.
/// <para>
/// Layout: <c>&lt;state&gt;/uploads/&lt;run&gt;/</c> per running agent, holding a <c>lock</c> file
/// the agent keeps locked for its whole life (an advisory lock the kernel drops when the process
/// dies, however it dies) and a <c>staging.log</c> to which a line is appended when a staging file
/// is about to be created and another when it is gone or renamed. At start, every run folder whose
/// lock can be taken belongs to a dead agent: the staging files its log leaves open are deleted,
/// then the folder. Agents running side by side never sweep each other's files: a run folder is
/// locked before it gets its name (see <see cref="UnfinishedRunPrefix"/>).
/// </para>
/// <para>
/// One log rather than a small file per staging file: creating and deleting a file with content
/// costs the file system a block each time (and, on a disk mounted with online discard, a
/// synchronous discard), which was a third of the agent's work per small upload. Each line is
/// written straight to the file (no buffer of ours), so a killed agent leaves it whole in the
/// kernel's cache, as the small files were. The log is rewritten with only the open entries once
/// it grows past <see cref="CompactAtBytes"/>.
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

    const string LogName = "staging.log";

    /// <summary>The next log while <see cref="Compact"/> writes it; a dead run's is incomplete and ignored.</summary>
    const string CompactingName = LogName + ".new";

    /// <summary>Past this size the log is rewritten with the entries still open (usually a handful).</summary>
    internal const long CompactAtBytes = 1024 * 1024;

    readonly string _runDirectory;
    readonly string _logPath;
    readonly FileStream _lock;
    readonly object _gate = new();
    readonly Dictionary<long, string> _open = new();
    FileStream _log;
    long _logBytes;
    long _lastId;

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
        _logPath = Path.Combine(_runDirectory, LogName);
        _log = OpenLog(_logPath, FileMode.CreateNew);
        Swept = SweepAbandoned(root);
    }

    /// <summary>How many staging files of dead agents were removed at start.</summary>
    public int Swept { get; }

    /// <summary>Notes that <paramref name="stagingPath"/> is about to be created; dispose the entry once it is gone or renamed.</summary>
    public IDisposable Record(string stagingPath)
    {
        lock (_gate)
        {
            long id = ++_lastId;
            Append(JournalLine.Opened(id, stagingPath));
            _open.Add(id, stagingPath);
            return new Entry(this, id);
        }
    }

    void Close(long id)
    {
        lock (_gate)
        {
            if (!_open.Remove(id))
            {
                return;
            }
            try
            {
                Append(JournalLine.Closed(id));
                if (_logBytes >= CompactAtBytes)
                {
                    Compact();
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
            {
                // The entry stays open in the log: at worst a later sweep looks for a file that is gone.
            }
        }
    }

    void Append(string line) => _logBytes += Write(_log, line);

    static int Write(FileStream log, string line)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(line);
        log.Write(bytes, 0, bytes.Length);
        return bytes.Length;
    }

    /// <summary>Writes the open entries to a new log and puts it in the old one's place in one rename.</summary>
    void Compact()
    {
        string next = Path.Combine(_runDirectory, CompactingName);
        FileStream fresh = OpenLog(next, FileMode.Create);
        long written = 0;
        try
        {
            foreach ((long id, string stagingPath) in _open)
            {
                written += Write(fresh, JournalLine.Opened(id, stagingPath));
            }
            File.Move(next, _logPath, overwrite: true);
        }
        catch
        {
            fresh.Dispose();
            throw;
        }
        _log.Dispose();
        _log = fresh;
        _logBytes = written;
    }

    /// <summary>Unbuffered, so that every line is in the kernel's hands once written.</summary>
    static FileStream OpenLog(string path, FileMode mode) =>
        new(path, mode, FileAccess.Write, FileShare.Read, bufferSize: 0);

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
            bool complete = true;
            foreach (string staged in LeftOpen(run))
            {
                try
                {
                    // Only ever a staging file: an entry cannot be used to delete anything else.
                    if (Path.GetFileName(staged).StartsWith(StagedFile.TemporaryPrefix, StringComparison.Ordinal) && File.Exists(staged))
                    {
                        File.Delete(staged);
                        removed++;
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    complete = false; // left for the next start; one bad entry must not stop the agent
                }
            }
            owner.Dispose();
            if (complete)
            {
                TryDeleteDirectory(run);
            }
        }
        return removed;
    }

    /// <summary>The staging files a dead run's log (and any one-file-per-entry journal of earlier agents) leaves open.</summary>
    static IEnumerable<string> LeftOpen(string run)
    {
        var open = new List<string>();
        foreach (string file in Directory.EnumerateFiles(run))
        {
            string name = Path.GetFileName(file);
            try
            {
                if (name == LogName)
                {
                    open.AddRange(JournalLine.Replay(File.ReadAllText(file, Encoding.UTF8)));
                }
                else if (name != LockName && name != CompactingName)
                {
                    open.Add(File.ReadAllText(file).Trim()); // an entry file, as agents before the log wrote them
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
        return open;
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
        lock (_gate)
        {
            _log.Dispose();
        }
        _lock.Dispose();
        TryDeleteDirectory(_runDirectory);
    }

    sealed class Entry(StagingJournal journal, long id) : IDisposable
    {
        public void Dispose() => journal.Close(id);
    }
}

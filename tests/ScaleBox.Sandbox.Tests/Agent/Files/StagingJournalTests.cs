using ScaleBox.Sandbox.Agent.Files;
using ScaleBox.Sandbox.Agent.Hosting;

namespace ScaleBox.Sandbox.Tests.Agent.Files;

/// <summary>
/// Agents that share a state directory start side by side (a test run starts dozens): one agent's
/// sweep of dead runs must never take the run folder another agent is just making. A dead run's
/// log leaves open the staging files to remove, and nothing else (the killed agent's own case is
/// CrashedUploadTests).
/// </summary>
public sealed class StagingJournalTests : IDisposable
{
    readonly string _state = Path.Combine(Path.GetTempPath(), "sbx-journal-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        try { Directory.Delete(_state, recursive: true); } catch (IOException) { }
    }

    AgentOptions Options => new() { AccessToken = "t", Home = "/", StateDirectory = _state };

    [Fact]
    public async Task Journals_started_at_the_same_moment_all_start_and_keep_their_run_folders()
    {
        // The locks are flock locks on separate opens, so journals in one process contend as agents do.
        for (int round = 0; round < 200; round++)
        {
            using var start = new Barrier(4);
            Task<StagingJournal>[] starting = Enumerable.Range(0, 4)
                .Select(_ => Task.Run(() => { start.SignalAndWait(); return new StagingJournal(Options); }))
                .ToArray();
            StagingJournal[] journals = await Task.WhenAll(starting);
            try
            {
                foreach (StagingJournal journal in journals)
                {
                    using IDisposable entry = journal.Record(Path.Combine(_state, StagedFile.TemporaryPrefix + "x"));
                }
                Assert.Equal(4, Directory.GetDirectories(Path.Combine(_state, "uploads")).Length);
            }
            finally
            {
                foreach (StagingJournal journal in journals)
                {
                    journal.Dispose();
                }
            }
        }
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(_state, "uploads")));
    }

    [Fact]
    public void A_run_folder_left_half_made_by_a_killed_agent_is_swept_once_it_is_old()
    {
        string uploads = Path.Combine(_state, "uploads");
        using (new StagingJournal(Options)) { }
        string halfMade = Directory.CreateDirectory(Path.Combine(uploads, StagingJournal.UnfinishedRunPrefix + "1-abc")).FullName;
        File.WriteAllText(Path.Combine(halfMade, "lock"), "");

        using (new StagingJournal(Options))
        {
            Assert.True(Directory.Exists(halfMade), "a fresh half-made run may belong to an agent starting now");
        }

        Directory.SetLastWriteTimeUtc(halfMade, DateTime.UtcNow - TimeSpan.FromHours(1));
        using (new StagingJournal(Options))
        {
            Assert.False(Directory.Exists(halfMade));
        }
    }

    string Uploads => Path.Combine(_state, "uploads");

    /// <summary>A run folder as an agent killed while its uploads ran leaves it: unlocked, with what it wrote.</summary>
    string DeadRun(params (string Name, string Content)[] files)
    {
        string run = Directory.CreateDirectory(Path.Combine(Uploads, "999999-dead")).FullName;
        File.WriteAllText(Path.Combine(run, "lock"), "");
        foreach ((string name, string content) in files)
        {
            File.WriteAllText(Path.Combine(run, name), content);
        }
        return run;
    }

    string StagingFile(string name)
    {
        string path = Path.Combine(_state, "home", StagedFile.TemporaryPrefix + name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "partial");
        return path;
    }

    [Fact]
    public void A_dead_run_s_log_has_its_open_staging_files_removed_and_its_closed_ones_left()
    {
        Directory.CreateDirectory(Uploads);
        string open = StagingFile("open");
        string closed = StagingFile("closed"); // renamed away and then made again by someone else: not the dead run's
        string run = DeadRun(("staging.log", JournalLine.Opened(1, open) + JournalLine.Opened(2, closed) + JournalLine.Closed(2)));

        using var journal = new StagingJournal(Options);

        Assert.Equal(1, journal.Swept);
        Assert.False(File.Exists(open));
        Assert.True(File.Exists(closed));
        Assert.False(Directory.Exists(run));
    }

    [Fact]
    public void The_one_file_per_entry_journal_of_earlier_agents_is_still_swept()
    {
        Directory.CreateDirectory(Uploads);
        string open = StagingFile("old-format");
        string run = DeadRun(("0123456789abcdef", open + "\n"));

        using var journal = new StagingJournal(Options);

        Assert.Equal(1, journal.Swept);
        Assert.False(File.Exists(open));
        Assert.False(Directory.Exists(run));
    }

    [Fact]
    public void A_log_names_nothing_but_staging_files_for_removal()
    {
        Directory.CreateDirectory(Uploads);
        string bystander = Path.Combine(_state, "home", "precious.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(bystander)!);
        File.WriteAllText(bystander, "keep");
        DeadRun(("staging.log", JournalLine.Opened(1, bystander)));

        using var journal = new StagingJournal(Options);

        Assert.Equal(0, journal.Swept);
        Assert.True(File.Exists(bystander));
    }

    [Fact]
    public void A_live_journal_s_log_holds_what_is_open_and_is_rewritten_with_only_that_once_it_grows()
    {
        using var journal = new StagingJournal(Options);
        string log = Path.Combine(Directory.GetDirectories(Uploads).Single(), "staging.log");
        string first = Path.Combine(_state, StagedFile.TemporaryPrefix + "first");
        IDisposable kept = journal.Record(first);
        long written = 0;
        int entries = 0;
        while (written < StagingJournal.CompactAtBytes)
        {
            string path = Path.Combine(_state, StagedFile.TemporaryPrefix + "n" + entries++);
            using (journal.Record(path)) { }
            written += JournalLine.Opened(entries, path).Length + JournalLine.Closed(entries).Length;
        }
        string last = Path.Combine(_state, StagedFile.TemporaryPrefix + "last");
        IDisposable alsoKept = journal.Record(last);

        string text = File.ReadAllText(log);
        Assert.True(text.Length < 1024, $"the log was not rewritten: {text.Length} bytes after {entries} entries");
        Assert.Equal([first, last], JournalLine.Replay(text));

        kept.Dispose();
        alsoKept.Dispose();
        Assert.Empty(JournalLine.Replay(File.ReadAllText(log)));
    }
}

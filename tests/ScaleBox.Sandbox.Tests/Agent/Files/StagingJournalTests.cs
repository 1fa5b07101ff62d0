using ScaleBox.Sandbox.Agent.Files;
using ScaleBox.Sandbox.Agent.Hosting;

namespace ScaleBox.Sandbox.Tests.Agent.Files;

/// <summary>
/// Agents that share a state directory start side by side (a test run starts dozens): one agent's
/// sweep of dead runs must never take the run folder another agent is just making.
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
}

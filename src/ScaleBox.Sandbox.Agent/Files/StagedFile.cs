using System.Buffers;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using ScaleBox.Sandbox.Agent.Filesystem;

namespace ScaleBox.Sandbox.Agent.Files;

/// <summary>
/// A file being received. It is written under a hidden temporary name and renamed over its final
/// name only when complete, so a cut upload never leaves a half file under that name; disposing it
/// before <see cref="CommitToAsync"/> deletes the temporary file. While it exists it is recorded in
/// the <see cref="StagingJournal"/>, so that one left by a killed agent is removed at the next start.
/// </summary>
public sealed class StagedFile : IDisposable
{
    public const string TemporaryPrefix = ".sbx-upload-";
    const int BufferSize = 128 * 1024;
    const int CrossDevice = 18; // EXDEV

    readonly StagingJournal _journal;
    readonly IDisposable _journalEntry;
    FileStream? _stream;
    bool _committed;

    StagedFile(string temporaryPath, FileStream stream, StagingJournal journal, IDisposable journalEntry)
    {
        TemporaryPath = temporaryPath;
        _stream = stream;
        _journal = journal;
        _journalEntry = journalEntry;
    }

    public string TemporaryPath { get; }

    /// <summary>Creates an empty temporary file in <paramref name="directory"/>.</summary>
    public static StagedFile CreateIn(string directory, StagingJournal journal)
    {
        string path = Path.Combine(directory, TemporaryPrefix + Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant());
        IDisposable entry = journal.Record(path); // first: a crash right after creating the file must find it noted
        try
        {
            var stream = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                BufferSize = 0, // the copy loop's buffer is the only one
            });
            return new StagedFile(path, stream, journal, entry);
        }
        catch (IOException e) when (DiskErrors.IsDiskFull(e))
        {
            entry.Dispose();
            throw DiskErrors.Writing(e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            entry.Dispose();
            throw new FileEndpointException(StatusCodes.Status500InternalServerError, "error opening file: " + e.Message);
        }
    }

    /// <summary>
    /// Copies <paramref name="source"/> to the file, a buffer at a time, then closes it. A failure
    /// to read is the client's (400, or the connection is gone); a failure to write is the disk's.
    /// </summary>
    public async Task ReceiveAsync(Stream source, CancellationToken cancellationToken)
    {
        FileStream stream = _stream ?? throw new InvalidOperationException("The file is already complete.");
        byte[] buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            while (true)
            {
                int read;
                try
                {
                    // A form section hands out a few KiB per read; filling the buffer first keeps
                    // the disk writes (each a system call) few and large.
                    read = await source.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    throw new FileEndpointException(StatusCodes.Status400BadRequest, "error reading the upload: " + e.Message);
                }
                if (read == 0)
                {
                    break;
                }
                try
                {
                    await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw DiskErrors.Writing(e);
                }
            }
            try
            {
                await stream.DisposeAsync();
            }
            catch (IOException e)
            {
                throw DiskErrors.Writing(e);
            }
            _stream = null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Moves the complete file over <paramref name="destination"/> in one rename. The permissions of
    /// a file being replaced are kept, as they would be by writing it in place. Across file systems
    /// the file is first copied to a temporary file beside the destination, so the last step is
    /// still a rename.
    /// </summary>
    public async Task CommitToAsync(string destination, CancellationToken cancellationToken)
    {
        if (_stream is not null)
        {
            throw new InvalidOperationException("The file is not complete yet.");
        }
        try
        {
            if (!OperatingSystem.IsWindows() && UnixStat.TryRead(destination, followSymlink: true) is { Type: UnixStat.Regular } replaced)
            {
                File.SetUnixFileMode(TemporaryPath, (UnixFileMode)(replaced.Mode & 0x1FF));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not being able to keep the old mode is no reason to lose the upload.
        }

        int errno = UnixRename.TryRename(TemporaryPath, destination);
        if (errno == 0)
        {
            _committed = true;
            _journalEntry.Dispose();
            return;
        }
        if (errno != CrossDevice)
        {
            throw DiskErrors.Writing(new IOException($"cannot rename the received file to '{destination}': {Marshal.GetPInvokeErrorMessage(errno)}", errno));
        }

        using StagedFile copy = CreateIn(Path.GetDirectoryName(destination)!, _journal);
        await using (var source = new FileStream(TemporaryPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0))
        {
            await copy.ReceiveAsync(source, cancellationToken);
        }
        await copy.CommitToAsync(destination, cancellationToken);
        Delete();
        _committed = true;
        _journalEntry.Dispose();
    }

    public void Dispose()
    {
        try
        {
            _stream?.Dispose();
        }
        catch (IOException)
        {
            // A full disk can fail the close too; the file is deleted below anyway.
        }
        _stream = null;
        if (!_committed)
        {
            Delete();
            _committed = true;
            _journalEntry.Dispose();
        }
    }

    void Delete()
    {
        try
        {
            File.Delete(TemporaryPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}

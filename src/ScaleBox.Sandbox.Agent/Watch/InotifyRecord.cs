using System.Buffers.Binary;
using System.Text;

namespace ScaleBox.Sandbox.Agent.Watch;

/// <summary>One struct inotify_event as read from the descriptor: watch, mask and the entry's name (empty for the watched folder itself).</summary>
readonly record struct InotifyRecord(int Wd, uint Mask, uint Cookie, string Name)
{
    public bool Is(uint flag) => (Mask & flag) != 0;

    /// <summary>Splits a read(2) result into records; a read always returns whole records.</summary>
    public static List<InotifyRecord> ParseAll(ReadOnlySpan<byte> buffer)
    {
        var records = new List<InotifyRecord>();
        while (buffer.Length >= Inotify.HeaderSize)
        {
            int wd = BinaryPrimitives.ReadInt32LittleEndian(buffer);
            uint mask = BinaryPrimitives.ReadUInt32LittleEndian(buffer[4..]);
            uint cookie = BinaryPrimitives.ReadUInt32LittleEndian(buffer[8..]);
            int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(buffer[12..]);
            ReadOnlySpan<byte> name = buffer.Slice(Inotify.HeaderSize, length);
            int end = name.IndexOf((byte)0); // the name is padded with NULs to an alignment
            records.Add(new InotifyRecord(wd, mask, cookie, Encoding.UTF8.GetString(end < 0 ? name : name[..end])));
            buffer = buffer[(Inotify.HeaderSize + length)..];
        }
        return records;
    }
}

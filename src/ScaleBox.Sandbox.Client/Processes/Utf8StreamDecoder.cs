using System;
using System.Text;

namespace ScaleBox.Sandbox.Client.Processes;

/// <summary>
/// Decodes one output stream chunk by chunk, keeping state between chunks: the bytes of a
/// character cut off at the end of a chunk are held back and decoded with the next chunk, so a
/// character split across chunks is never garbled. Invalid bytes become U+FFFD, exactly as if the
/// whole stream had been decoded at once. Not thread-safe: one decoder per stream.
/// </summary>
internal sealed class Utf8StreamDecoder
{
    static readonly UTF8Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    readonly Decoder _decoder = Utf8.GetDecoder();
    char[] _chars = new char[64];

    /// <summary>The text of <paramref name="bytes"/>, after any bytes held back from the previous chunk.</summary>
    public string Decode(byte[] bytes) => Decode(bytes ?? throw new ArgumentNullException(nameof(bytes)), 0, bytes.Length);

    public string Decode(byte[] bytes, int offset, int count) => Convert(bytes, offset, count, flush: false);

    /// <summary>
    /// The end of the stream: the bytes still held back (an incomplete character) as U+FFFD, or an
    /// empty string when nothing is held. The decoder is then ready for a new stream.
    /// </summary>
    public string Flush() => Convert(Array.Empty<byte>(), 0, 0, flush: true);

    byte[] _carry = Array.Empty<byte>();

    /// <summary>
    /// The next chunk, for text decoded only when asked for (<see cref="TextOf"/>): what it needs
    /// besides its own bytes is the incomplete character carried in from the chunk before, and how
    /// many of its last bytes start a character that the next chunk completes. A stream whose text
    /// is never read then holds its bytes once, not bytes and text. Not to be mixed with
    /// <see cref="Decode(byte[])"/> on the same decoder.
    /// </summary>
    public (byte[] CarryIn, int HeldBack) Next(byte[] bytes)
    {
        byte[] carryIn = _carry;
        int held = HeldBack(carryIn, bytes);
        if (held == 0)
        {
            _carry = Array.Empty<byte>();
        }
        else
        {
            byte[] carry = new byte[held];
            int total = carryIn.Length + bytes.Length;
            for (int i = 0; i < held; i++)
            {
                carry[i] = At(carryIn, bytes, total - held + i);
            }
            _carry = carry;
        }
        return (carryIn, held);
    }

    /// <summary>The end of a stream decoded with <see cref="Next"/>: the incomplete character still carried, as U+FFFD, or empty.</summary>
    public string FlushCarry()
    {
        string rest = _carry.Length == 0 ? string.Empty : Utf8.GetString(_carry);
        _carry = Array.Empty<byte>();
        return rest;
    }

    /// <summary>The text of a chunk that <see cref="Next"/> described: the same as <see cref="Decode(byte[])"/> would have returned.</summary>
    public static string TextOf(byte[] carryIn, byte[] bytes, int heldBack)
    {
        int count = carryIn.Length + bytes.Length - heldBack;
        if (count <= 0)
        {
            return string.Empty;
        }
        if (carryIn.Length == 0)
        {
            return Utf8.GetString(bytes, 0, count);
        }
        byte[] joined = new byte[count];
        for (int i = 0; i < count; i++)
        {
            joined[i] = At(carryIn, bytes, i);
        }
        return Utf8.GetString(joined);
    }

    static byte At(byte[] carryIn, byte[] bytes, int index) => index < carryIn.Length ? carryIn[index] : bytes[index - carryIn.Length];

    /// <summary>
    /// How many trailing bytes of carry-in plus chunk are a character begun but not finished: a
    /// lead byte and the continuation bytes it allows so far. Anything else (ASCII, an invalid
    /// byte, a continuation that the lead does not allow) is decoded now, as a decoder does.
    /// </summary>
    static int HeldBack(byte[] carryIn, byte[] bytes)
    {
        int total = carryIn.Length + bytes.Length;
        for (int k = 1; k <= Math.Min(3, total); k++)
        {
            byte b = At(carryIn, bytes, total - k);
            if (b >= 0x80 && b <= 0xBF)
            {
                continue; // a continuation byte: its lead is further back
            }
            int length = b >= 0xC2 && b <= 0xDF ? 2 : b >= 0xE0 && b <= 0xEF ? 3 : b >= 0xF0 && b <= 0xF4 ? 4 : 0;
            if (length <= k)
            {
                return 0; // ASCII, an invalid lead, or a complete (or overlong) run: nothing waits for more
            }
            if (k >= 2)
            {
                byte second = At(carryIn, bytes, total - k + 1);
                (byte low, byte high) = b switch
                {
                    0xE0 => ((byte)0xA0, (byte)0xBF),
                    0xED => ((byte)0x80, (byte)0x9F),
                    0xF0 => ((byte)0x90, (byte)0xBF),
                    0xF4 => ((byte)0x80, (byte)0x8F),
                    _ => ((byte)0x80, (byte)0xBF),
                };
                if (second < low || second > high)
                {
                    return 0;
                }
            }
            return k;
        }
        return 0;
    }

    string Convert(byte[] bytes, int offset, int count, bool flush)
    {
        // At most one char per byte, plus what the held bytes (at most 3) can still produce.
        int needed = Utf8.GetMaxCharCount(count) + 4;
        if (_chars.Length < needed)
        {
            _chars = new char[Math.Max(needed, _chars.Length * 2)];
        }
        int written = _decoder.GetChars(bytes, offset, count, _chars, 0, flush);
        return written == 0 ? string.Empty : new string(_chars, 0, written);
    }
}

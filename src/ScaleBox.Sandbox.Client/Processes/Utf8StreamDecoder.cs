using System;
using System.Text;

namespace ScaleBox.Sandbox.Client.Processes
{
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
}

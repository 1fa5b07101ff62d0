using System.Text;
using ScaleBox.Sandbox.Client.Processes;

namespace ScaleBox.Sandbox.Tests.Client.Processes;

/// <summary>
/// The output decoder: however a byte stream is cut into chunks, the text is the same as decoding
/// the whole stream at once. Every split position of 2-, 3- and 4-byte characters and of invalid
/// sequences is tried, in two and in three pieces.
/// </summary>
public sealed class Utf8StreamDecoderTests
{
    public static TheoryData<string, byte[]> Streams => new()
    {
        { "2-byte é", Encoding.UTF8.GetBytes("é") },
        { "3-byte €", Encoding.UTF8.GetBytes("€") },
        { "4-byte 😀 (a surrogate pair)", Encoding.UTF8.GetBytes("😀") },
        { "mixed text", Encoding.UTF8.GetBytes("aé€😀z\n日本語 ß") },
        { "lone continuation byte", [0x61, 0x80, 0x62] },
        { "byte never valid in UTF-8", [0x61, 0xFF, 0x62, 0xFE] },
        { "2-byte lead then ASCII", [0xC3, 0x28, 0x61] },
        { "3-byte lead cut by ASCII", [0xE2, 0x82, 0x28, 0x61] },
        { "4-byte lead cut by ASCII", [0xF0, 0x9F, 0x98, 0x41] },
        { "overlong encoding of /", [0xC0, 0xAF, 0x61] },
        { "encoded surrogate half", [0xED, 0xA0, 0x80, 0x61] },
        { "code point above U+10FFFF", [0xF4, 0x90, 0x80, 0x80] },
        { "truncated character at the very end", [0x61, 0xE2, 0x82] },
        { "valid characters around invalid ones", [0xC3, 0xA9, 0xE2, 0xC3, 0xA9, 0xF0, 0x9F, 0x98, 0x80, 0x80] },
        { "byte order mark is kept", [0xEF, 0xBB, 0xBF, 0x61] },
    };

    [Theory, MemberData(nameof(Streams))]
    public void Every_split_in_three_decoded_later_chunk_by_chunk_reads_as_the_whole(string name, byte[] bytes)
    {
        string expected = Encoding.UTF8.GetString(bytes);
        for (int first = 0; first <= bytes.Length; first++)
        {
            for (int second = first; second <= bytes.Length; second++)
            {
                var decoder = new Utf8StreamDecoder();
                var texts = new List<Func<string>>();
                foreach (byte[] chunk in new[] { bytes[..first], bytes[first..second], bytes[second..] })
                {
                    (byte[] carryIn, int held) = decoder.Next(chunk);
                    texts.Add(() => Utf8StreamDecoder.TextOf(carryIn, chunk, held));
                }
                string rest = decoder.FlushCarry();
                string text = string.Concat(texts.Select(t => t())) + rest;
                Assert.True(expected == text, $"{name}: split at {first} and {second} gave {Escape(text)}, expected {Escape(expected)}");
            }
        }
    }

    [Theory, MemberData(nameof(Streams))]
    public void Every_split_in_two_decodes_as_the_whole(string name, byte[] bytes)
    {
        string expected = Encoding.UTF8.GetString(bytes);
        for (int split = 0; split <= bytes.Length; split++)
        {
            var decoder = new Utf8StreamDecoder();
            string text = decoder.Decode(bytes[..split]) + decoder.Decode(bytes[split..]) + decoder.Flush();
            Assert.True(expected == text, $"{name}: split at {split} gave {Escape(text)}, expected {Escape(expected)}");
        }
    }

    [Theory, MemberData(nameof(Streams))]
    public void Every_split_in_three_decodes_as_the_whole(string name, byte[] bytes)
    {
        string expected = Encoding.UTF8.GetString(bytes);
        for (int first = 0; first <= bytes.Length; first++)
        {
            for (int second = first; second <= bytes.Length; second++)
            {
                var decoder = new Utf8StreamDecoder();
                string text = decoder.Decode(bytes[..first]) + decoder.Decode(bytes[first..second]) + decoder.Decode(bytes[second..]) + decoder.Flush();
                Assert.True(expected == text, $"{name}: splits at {first} and {second} gave {Escape(text)}, expected {Escape(expected)}");
            }
        }
    }

    [Theory, MemberData(nameof(Streams))]
    public void Byte_by_byte_decodes_as_the_whole(string name, byte[] bytes)
    {
        var decoder = new Utf8StreamDecoder();
        var text = new StringBuilder();
        foreach (byte b in bytes)
        {
            text.Append(decoder.Decode([b]));
        }
        text.Append(decoder.Flush());
        Assert.True(Encoding.UTF8.GetString(bytes) == text.ToString(), name);
    }

    [Fact]
    public void The_bytes_of_an_incomplete_character_are_held_back_and_prepended_to_the_next_chunk()
    {
        var decoder = new Utf8StreamDecoder();

        Assert.Equal("a", decoder.Decode([0x61, 0xF0, 0x9F]));
        Assert.Equal("", decoder.Decode([0x98]));
        Assert.Equal("😀b", decoder.Decode([0x80, 0x62]));
        Assert.Equal("", decoder.Flush());
    }

    [Fact]
    public void Bytes_held_at_the_end_of_the_stream_are_flushed_as_a_replacement_character()
    {
        var decoder = new Utf8StreamDecoder();

        Assert.Equal("a", decoder.Decode([0x61, 0xE2, 0x82]));
        Assert.Equal("\uFFFD", decoder.Flush());
        // After a flush the decoder starts a fresh stream.
        Assert.Equal("é", decoder.Decode([0xC3, 0xA9]));
        Assert.Equal("", decoder.Flush());
    }

    [Fact]
    public void A_large_chunk_decodes_whole()
    {
        string big = string.Concat(Enumerable.Repeat("x€😀é", 20_000));
        byte[] bytes = Encoding.UTF8.GetBytes(big);
        var decoder = new Utf8StreamDecoder();

        string text = decoder.Decode(bytes, 0, 32 * 1024 + 1) + decoder.Decode(bytes, 32 * 1024 + 1, bytes.Length - (32 * 1024 + 1)) + decoder.Flush();

        Assert.Equal(big, text);
    }

    static string Escape(string text) =>
        "\"" + string.Concat(text.Select(c => c < 0x20 || c > 0x7E ? $"\\u{(int)c:X4}" : c.ToString())) + "\"";
}

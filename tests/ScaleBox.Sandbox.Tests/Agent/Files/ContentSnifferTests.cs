using System.Text;
using ScaleBox.Sandbox.Agent.Files;

namespace ScaleBox.Sandbox.Tests.Agent.Files;

/// <summary>The WHATWG sniffing table as Go's http.DetectContentType applies it to a file with no known extension.</summary>
public sealed class ContentSnifferTests
{
    static byte[] Latin1(string text) => Encoding.Latin1.GetBytes(text);

    [Theory]
    [InlineData("", "text/plain; charset=utf-8")]
    [InlineData("print('hello')\n", "text/plain; charset=utf-8")]
    [InlineData("  \n<!doctype html><p>x", "text/html; charset=utf-8")]
    [InlineData("<p>x</p>", "text/html; charset=utf-8")]
    [InlineData("<pre>x</pre>", "text/plain; charset=utf-8")]
    [InlineData("\t<?xml version=\"1.0\"?><a/>", "text/xml; charset=utf-8")]
    [InlineData("%PDF-1.7\n", "application/pdf")]
    [InlineData("\u00FE\u00FF\u0000h", "text/plain; charset=utf-16be")]
    [InlineData("\u00EF\u00BB\u00BFhi", "text/plain; charset=utf-8")]
    [InlineData("\u0089PNG\r\n\u001A\n\u0000\u0000", "image/png")]
    [InlineData("GIF89a", "image/gif")]
    [InlineData("\u00FF\u00D8\u00FF\u00E0", "image/jpeg")]
    [InlineData("RIFF\u0001\u0002\u0003\u0004WEBPVP8 ", "image/webp")]
    [InlineData("RIFF\u0001\u0002\u0003\u0004WAVEfmt ", "audio/wave")]
    [InlineData("FORM\u0001\u0002\u0003\u0004AIFF", "audio/aiff")]
    [InlineData("\u0000\u0000\u0000\u0018ftypmp42\u0000\u0000\u0000\u0000mp42isom", "video/mp4")]
    [InlineData("\u001F\u008B\u0008\u0000", "application/x-gzip")]
    [InlineData("PK\u0003\u0004\u0014", "application/zip")]
    [InlineData("\u0000asm\u0001\u0000\u0000\u0000", "application/wasm")]
    [InlineData("wOF2\u0000\u0001", "font/woff2")]
    [InlineData("\u0000\u0001\u0002\u0003", "application/octet-stream")]
    [InlineData("text then a NUL\u0000", "application/octet-stream")]
    [InlineData("ESC is text: \u001B[0m", "text/plain; charset=utf-8")]
    public void Data_is_typed_by_its_first_bytes(string data, string expected)
    {
        Assert.Equal(expected, ContentSniffer.Detect(Latin1(data)));
    }

    [Fact]
    public void Only_the_first_512_bytes_count()
    {
        byte[] data = [.. Encoding.ASCII.GetBytes(new string('a', ContentSniffer.SniffLength)), 0x00];

        Assert.Equal("text/plain; charset=utf-8", ContentSniffer.Detect(data));
    }
}

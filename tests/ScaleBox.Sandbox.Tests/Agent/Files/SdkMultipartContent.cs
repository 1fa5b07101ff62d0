using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace ScaleBox.Sandbox.Tests.Agent.Files;

/// <summary>
/// multipart/form-data exactly as the official JavaScript SDK's FormData (undici) writes it: part
/// headers in raw UTF-8, a file name quoted with only <c>"</c>, CR and LF percent-escaped, no
/// <c>filename*</c>, and <c>application/octet-stream</c> on file parts. .NET's own
/// MultipartFormDataContent MIME-encodes non-ASCII names instead, so it cannot stand in for the SDK.
/// File contents are streamed as the request goes out.
/// </summary>
public sealed class SdkMultipartContent : HttpContent
{
    readonly string _boundary = "----formdata-undici-0" + Random.Shared.NextInt64(1_000_000_000, 9_999_999_999);
    readonly IReadOnlyList<FormPart> _parts;

    public SdkMultipartContent(params FormPart[] parts)
    {
        _parts = parts;
        Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={_boundary}");
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        foreach (FormPart part in _parts)
        {
            await stream.WriteAsync(PartHeader(part));
            await using (Stream content = part.OpenContent())
            {
                await content.CopyToAsync(stream, 256 * 1024);
            }
            await stream.WriteAsync("\r\n"u8.ToArray());
        }
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"--{_boundary}--\r\n"));
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _parts.Sum(p => PartHeader(p).Length + p.Length + 2) + Encoding.ASCII.GetByteCount($"--{_boundary}--\r\n");
        return true;
    }

    byte[] PartHeader(FormPart part)
    {
        var header = new StringBuilder($"--{_boundary}\r\nContent-Disposition: form-data; name=\"{Escape(part.Name)}\"");
        if (part.FileName is not null)
        {
            header.Append($"; filename=\"{Escape(part.FileName)}\"\r\nContent-Type: application/octet-stream");
        }
        header.Append("\r\n\r\n");
        return Encoding.UTF8.GetBytes(header.ToString());
    }

    static string Escape(string value) => value.Replace("\n", "%0A").Replace("\r", "%0D").Replace("\"", "%22");
}

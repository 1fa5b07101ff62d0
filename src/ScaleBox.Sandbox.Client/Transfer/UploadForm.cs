using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>
/// The multipart/form-data body of an upload, shaped as the official SDK sends it: a part
/// <c>file</c> whose filename is the full destination path (application/octet-stream), then a
/// text part <c>path</c> with the same path. Quotes and line breaks in the filename are
/// percent-escaped as browsers do; other characters go as UTF-8.
/// </summary>
internal static class UploadForm
{
    public static MultipartFormDataContent Create(HttpContent file, string destination)
    {
        var form = new MultipartFormDataContent("sbx-" + Hex.RandomSuffix() + Hex.RandomSuffix() + Hex.RandomSuffix());
#if NET5_0_OR_GREATER
        // Part headers are Latin-1 by default, which would turn a non-ASCII filename into '?'.
        form.HeaderEncodingSelector = (_, _) => Encoding.UTF8;
#endif
        // Disposition first, then type: the order browsers and the SDK's FormData use.
        file.Headers.TryAddWithoutValidation("Content-Disposition", $"form-data; name=\"{AgentHttpRoutes.FileField}\"; filename=\"{FileNameValue(destination)}\"");
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file);

        var path = new ByteArrayContent(Encoding.UTF8.GetBytes(destination));
        path.Headers.TryAddWithoutValidation("Content-Disposition", "form-data; name=\"path\"");
        form.Add(path);
        return form;
    }

    static string FileNameValue(string destination)
    {
        string escaped = destination.Replace("\"", "%22").Replace("\r", "%0D").Replace("\n", "%0A");
#if !NET5_0_OR_GREATER
        // No way to choose the part-header encoding here: keep the header ASCII. The text part
        // 'path' still carries the exact name.
        var ascii = new StringBuilder(escaped.Length);
        foreach (char c in escaped)
        {
            if (c < 0x80)
            {
                ascii.Append(c);
            }
            else
            {
                ascii.Append(System.Uri.EscapeDataString(c.ToString()));
            }
        }
        escaped = ascii.ToString();
#endif
        return escaped;
    }
}

using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Agent.Files;

/// <summary>What the <c>Content-Disposition</c> of one multipart section says: its form name and file name.</summary>
public sealed record UploadPart(string Name, string? FileName)
{
    public const string FileField = AgentHttpRoutes.FileField;
    public const string PathField = AgentHttpRoutes.PathParameter;

    public static UploadPart From(MultipartSection section)
    {
        if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out ContentDispositionHeaderValue? disposition)
            || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
        {
            throw new FileEndpointException(StatusCodes.Status400BadRequest,
                $"invalid multipart section: Content-Disposition '{section.ContentDisposition}' is not form-data");
        }

        // filename* (RFC 5987/2231) wins over filename, as in Go's mime package. The plain form may be
        // quoted with backslash escapes, or MIME-encoded (which the header parser decodes itself);
        // the full path is kept, not just its last segment.
        string? fileName = disposition.FileNameStar.HasValue ? disposition.FileNameStar.Value
            : disposition.FileName.HasValue ? Unquote(disposition.FileName.Value!)
            : null;
        return new UploadPart(Unquote(disposition.Name.Value ?? ""), fileName);
    }

    static string Unquote(string value) =>
        value.Length >= 2 && value[0] == '"' && value[^1] == '"'
            ? HeaderUtilities.UnescapeAsQuotedString(value).Value ?? ""
            : value;
}

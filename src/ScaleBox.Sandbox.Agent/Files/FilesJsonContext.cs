using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ScaleBox.Sandbox.Agent.Files;

/// <summary>Source-generated JSON for the file endpoints' bodies (the slim builder has no reflection JSON).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(FileErrorBody))]
[JsonSerializable(typeof(List<UploadedEntry>))]
public sealed partial class FilesJsonContext : JsonSerializerContext
{
    /// <summary>
    /// Paths and messages go out as written (quotes, apostrophes and non-ASCII letters unescaped, as
    /// Go's encoder writes them); these bodies are JSON, never embedded in HTML.
    /// </summary>
    public static FilesJsonContext Readable { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}

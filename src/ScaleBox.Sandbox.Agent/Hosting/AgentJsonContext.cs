using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using ScaleBox.Sandbox.Agent.Files;

namespace ScaleBox.Sandbox.Agent.Hosting;

/// <summary>Source-generated JSON for the agent's plain HTTP bodies (the slim builder has no reflection JSON).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(JsonErrorBody))]
[JsonSerializable(typeof(List<UploadedEntry>))]
public sealed partial class AgentJsonContext : JsonSerializerContext
{
    /// <summary>
    /// Paths and messages go out as written: quotes, apostrophes and non-ASCII letters unescaped, as
    /// Go's encoder writes them (which also writes &lt;, &gt; and &amp; as \u003c, \u003e and
    /// \u0026; here they are left as they are, the same JSON once parsed). Never embedded in HTML.
    /// </summary>
    public static AgentJsonContext Readable { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}

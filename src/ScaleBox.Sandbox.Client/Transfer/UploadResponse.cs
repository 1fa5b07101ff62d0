using Google.Protobuf.WellKnownTypes;
using ScaleBox.Sandbox.Client.Files;

namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>
/// The agent's answer to a successful upload: JSON <c>{name,type,path}</c>, an array of those
/// (E2B), or plain text such as <c>uploaded: /path</c>. Only the item type is taken from it; the
/// caller already knows the path it asked for.
/// </summary>
internal static class UploadResponse
{
    public static SandboxItemType TypeOf(string? body)
    {
        Value? json = body is null ? null : AgentHttpErrors.TryParseJson(body.Trim());
        if (json is null)
        {
            return SandboxItemType.File;
        }
        if (json.KindCase == Value.KindOneofCase.ListValue && json.ListValue.Values.Count > 0)
        {
            json = json.ListValue.Values[0];
        }
        if (json.KindCase == Value.KindOneofCase.StructValue && AgentHttpErrors.StringField(json.StructValue, "type") is { } type)
        {
            return type == "dir" || type == "directory" ? SandboxItemType.Directory : SandboxItemType.File;
        }
        return SandboxItemType.File;
    }
}

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
        string? type = body is null ? null : AgentJsonObject.TryParse(body.Trim(), firstOfArray: true)?.String("type");
        return type == "dir" || type == "directory" ? SandboxItemType.Directory : SandboxItemType.File;
    }
}

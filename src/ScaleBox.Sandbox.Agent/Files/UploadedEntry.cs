namespace ScaleBox.Sandbox.Agent.Files;

/// <summary>One written file in the upload's answer, E2B style: <c>[{"name","type":"file","path"}]</c>.</summary>
public sealed record UploadedEntry(string Name, string Type, string Path)
{
    public static UploadedEntry File(string path) => new(System.IO.Path.GetFileName(path), "file", path);
}

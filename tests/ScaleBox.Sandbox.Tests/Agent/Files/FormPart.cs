using System.Text;

namespace ScaleBox.Sandbox.Tests.Agent.Files;

/// <summary>One part of a multipart/form-data body: a text field or a file.</summary>
public sealed record FormPart(string Name, string? FileName, Func<Stream> OpenContent, long Length)
{
    /// <summary>A file part whose file name is <paramref name="fileName"/> (the SDK puts the full destination path there).</summary>
    public static FormPart File(string fileName, byte[] content) =>
        new("file", fileName, () => new MemoryStream(content, writable: false), content.Length);

    /// <summary>A file part read from a local file as the request is sent, never held in memory.</summary>
    public static FormPart LocalFile(string fileName, string localPath) =>
        new("file", fileName, () => System.IO.File.OpenRead(localPath), new FileInfo(localPath).Length);

    public static FormPart Field(string name, string value)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(value);
        return new(name, null, () => new MemoryStream(bytes, writable: false), bytes.Length);
    }
}

namespace ScaleBox.Sandbox.Agent.Files;

/// <summary>
/// Where each <c>file</c> part of one upload goes, decided the way the clients in the wild need it:
/// <list type="number">
/// <item>A fixed path (the <c>path</c> query value, or the signed path) takes every part; a second
/// part to it is refused, as the real agent refuses two files to one path.</item>
/// <item>Otherwise the n-th <c>path</c> form field names the n-th file part, whichever of the two
/// comes first: the official SDK sends <c>file</c> then <c>path</c>, and so does
/// <c>curl -F file=@x -F path=/p</c>, whose file name is only the local base name.</item>
/// <item>A file part without a <c>path</c> field goes to its file name (E2B's rule; the SDK puts the
/// full destination path there).</item>
/// </list>
/// All paths here are already resolved to local paths.
/// </summary>
public sealed class UploadDestinations(string? fixedPath)
{
    readonly List<string> _pathFields = [];
    readonly HashSet<string> _claimed = new(StringComparer.Ordinal);

    /// <summary>True when form fields do not matter: one path takes every file part.</summary>
    public bool IsFixed => fixedPath is not null;

    public void AddPathField(string resolvedPath) => _pathFields.Add(resolvedPath);

    /// <summary>The destination of file part number <paramref name="index"/> (from 0), if known yet.</summary>
    public string? Of(int index) => fixedPath ?? (index < _pathFields.Count ? _pathFields[index] : null);

    /// <summary>Records that a file goes to <paramref name="path"/>; refuses a second file to the same path.</summary>
    public void Claim(string path)
    {
        if (!_claimed.Add(path))
        {
            throw new FileEndpointException(StatusCodes.Status400BadRequest,
                $"you cannot upload multiple files to the same path '{path}' in one upload request");
        }
    }
}

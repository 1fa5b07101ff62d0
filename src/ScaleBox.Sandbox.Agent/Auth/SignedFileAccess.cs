namespace ScaleBox.Sandbox.Agent.Auth;

/// <summary>
/// Set on a request that got in through a signed URL rather than the access token. The file
/// endpoints then act on the signed path only: what was signed is what is read or written.
/// </summary>
public sealed record SignedFileAccess(string Operation, string Path, string User);

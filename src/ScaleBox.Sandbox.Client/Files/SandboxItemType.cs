namespace ScaleBox.Sandbox.Client.Files;

/// <summary>What a sandbox path is. A symbolic link is reported as what it points to.</summary>
public enum SandboxItemType
{
    Unknown = 0,
    File = 1,
    Directory = 2,
}

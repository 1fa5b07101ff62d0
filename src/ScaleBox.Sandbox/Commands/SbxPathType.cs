namespace ScaleBox.Sandbox.Commands;

/// <summary>What -PathType asks Test-SbxPath to check, as Test-Path's TestPathType.</summary>
public enum SbxPathType
{
    Any,
    Container,
    Leaf,
}

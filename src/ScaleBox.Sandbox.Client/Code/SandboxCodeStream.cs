namespace ScaleBox.Sandbox.Client.Code;

/// <summary>Where printed text came from.</summary>
public enum SandboxCodeStream
{
    Stdout,
    Stderr,
}

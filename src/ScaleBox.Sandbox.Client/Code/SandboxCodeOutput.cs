namespace ScaleBox.Sandbox.Client.Code;

/// <summary>Text the code printed, as the kernel sent it (a chunk, not always a whole line).</summary>
public sealed class SandboxCodeOutput : SandboxCodeEvent
{
    public SandboxCodeOutput(SandboxCodeStream stream, string text)
    {
        Stream = stream;
        Text = text;
    }

    public SandboxCodeStream Stream { get; }

    public string Text { get; }

    public override string ToString() => Text;
}

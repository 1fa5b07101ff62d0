namespace ScaleBox.Sandbox.Client.Code;

/// <summary>One thing an execution produced, in the order the kernel produced it.</summary>
public abstract class SandboxCodeEvent
{
}

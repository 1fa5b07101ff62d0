namespace ScaleBox.Sandbox.Client.Code;

/// <summary>An exception the code raised: its type name, message and formatted traceback (no terminal colours).</summary>
public sealed class SandboxCodeError : SandboxCodeEvent
{
    public SandboxCodeError(string name, string value, string traceback)
    {
        Name = name;
        Value = value;
        Traceback = traceback;
    }

    /// <summary>The exception's type, e.g. <c>ZeroDivisionError</c>.</summary>
    public string Name { get; }

    /// <summary>Its message, e.g. <c>division by zero</c>.</summary>
    public string Value { get; }

    public string Traceback { get; }

    /// <summary><c>Name: Value</c>, or whichever of the two a kernel gave (a bash kernel names no type).</summary>
    public override string ToString() => Value.Length == 0 ? Name : Name.Length == 0 ? Value : $"{Name}: {Value}";
}

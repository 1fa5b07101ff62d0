namespace ScaleBox.Sandbox.Client.Code;

/// <summary>A point of a line or scatter series; X and Y are numbers (double) or category text (string).</summary>
public sealed class SandboxChartPoint
{
    public SandboxChartPoint(object? x, object? y)
    {
        X = x;
        Y = y;
    }

    public object? X { get; }

    public object? Y { get; }

    public override string ToString() => $"({X}, {Y})";
}

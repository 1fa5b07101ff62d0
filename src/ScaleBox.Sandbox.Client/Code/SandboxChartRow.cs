namespace ScaleBox.Sandbox.Client.Code;

/// <summary>One value of a chart as a flat record: for a series its X and Y, for a bar its label and value.</summary>
public sealed class SandboxChartRow
{
    public SandboxChartRow(string chart, string type, string series, object? x, object? y)
    {
        Chart = chart;
        Type = type;
        Series = series;
        X = x;
        Y = y;
    }

    /// <summary>The chart's title.</summary>
    public string Chart { get; }

    public string Type { get; }

    /// <summary>The series (line label, bar group); empty when the chart has one.</summary>
    public string Series { get; }

    public object? X { get; }

    public object? Y { get; }
}

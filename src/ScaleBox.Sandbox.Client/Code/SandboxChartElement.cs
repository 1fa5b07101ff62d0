using System.Collections.Generic;

namespace ScaleBox.Sandbox.Client.Code;

/// <summary>
/// One element of a chart: a line or scatter series (Points), a bar (Group, Value), a pie slice
/// (Angle, Radius) or a box plot (Min..Max, Outliers). What does not apply is null.
/// </summary>
public sealed class SandboxChartElement
{
    public string Label { get; init; } = string.Empty;

    /// <summary>A line or scatter series: its points, x then y (a number, or text for a category).</summary>
    public IReadOnlyList<SandboxChartPoint>? Points { get; init; }

    public string? Group { get; init; }

    /// <summary>A bar's value, as the chart gave it.</summary>
    public string? Value { get; init; }

    public double? Angle { get; init; }

    public double? Radius { get; init; }

    public double? Min { get; init; }

    public double? FirstQuartile { get; init; }

    public double? Median { get; init; }

    public double? ThirdQuartile { get; init; }

    public double? Max { get; init; }

    public IReadOnlyList<double>? Outliers { get; init; }

    /// <summary>A chart inside this one (a figure with several plots).</summary>
    public SandboxChart? Chart { get; init; }
}

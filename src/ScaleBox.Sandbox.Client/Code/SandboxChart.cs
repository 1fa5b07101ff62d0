using System.Collections.Generic;
using System.Linq;

namespace ScaleBox.Sandbox.Client.Code;

/// <summary>
/// What a plotted figure shows, read inside the kernel: its type (line, scatter, bar, pie,
/// box_and_whisker, superchart), title, axis labels and elements. <see cref="Rows"/> flattens it
/// into one record per value, ready for Export-Csv.
/// </summary>
public sealed class SandboxChart
{
    public string Type { get; init; } = string.Empty;

    public string Title { get; init; } = string.Empty;

    public string? XLabel { get; init; }

    public string? YLabel { get; init; }

    public IReadOnlyList<SandboxChartElement> Elements { get; init; } = new SandboxChartElement[0];

    /// <summary>What else the interpreter said of the chart (scales, units...).</summary>
    public IReadOnlyDictionary<string, string> Extra { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// One row per point, bar, slice or box, with the series it belongs to; nested charts
    /// included, under their own title.
    /// </summary>
    public IReadOnlyList<SandboxChartRow> Rows => RowsOf(this).ToList();

    static IEnumerable<SandboxChartRow> RowsOf(SandboxChart chart)
    {
        foreach (SandboxChartElement element in chart.Elements)
        {
            if (element.Chart is not null)
            {
                foreach (SandboxChartRow row in RowsOf(element.Chart))
                {
                    yield return row;
                }
                continue;
            }
            if (element.Points is not null)
            {
                foreach (SandboxChartPoint point in element.Points)
                {
                    yield return new SandboxChartRow(chart.Title, chart.Type, element.Label, point.X, point.Y);
                }
                continue;
            }
            if (element.Value is not null)
            {
                yield return new SandboxChartRow(chart.Title, chart.Type, element.Group ?? string.Empty, element.Label, element.Value);
                continue;
            }
            if (element.Angle is not null)
            {
                yield return new SandboxChartRow(chart.Title, chart.Type, string.Empty, element.Label, element.Angle);
                continue;
            }
            if (element.Median is not null)
            {
                yield return new SandboxChartRow(chart.Title, chart.Type, element.Label, "median", element.Median);
            }
        }
    }

    public override string ToString() => Title.Length == 0 ? $"{Type} chart" : $"{Type} chart '{Title}'";
}

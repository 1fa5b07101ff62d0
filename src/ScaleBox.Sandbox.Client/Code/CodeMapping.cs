using System;
using System.Collections.Generic;
using System.Linq;
using Proto = ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Client.Code;

/// <summary>Wire messages of the code services to model types; the generated types go no further.</summary>
internal static class CodeMapping
{
    public static SandboxCodeEvent? ToEvent(this Proto.ExecuteResponse response) => response.EventCase switch
    {
        Proto.ExecuteResponse.EventOneofCase.Stdout => new SandboxCodeOutput(SandboxCodeStream.Stdout, response.Stdout.Content),
        Proto.ExecuteResponse.EventOneofCase.Stderr => new SandboxCodeOutput(SandboxCodeStream.Stderr, response.Stderr.Content),
        Proto.ExecuteResponse.EventOneofCase.Result => response.Result.ToResult(),
        Proto.ExecuteResponse.EventOneofCase.Error => new SandboxCodeError(response.Error.Name, response.Error.Value, response.Error.Traceback),
        _ => null, // an event this version does not know: skipped, as proto3 readers do
    };

    static SandboxCodeResult ToResult(this Proto.Result result) => new SandboxCodeResult
    {
        Text = NullIfEmpty(result.Text),
        Html = NullIfEmpty(result.Html),
        Markdown = NullIfEmpty(result.Markdown),
        Svg = NullIfEmpty(result.Svg),
        Png = NullIfEmpty(result.Png),
        Jpeg = NullIfEmpty(result.Jpeg),
        Pdf = NullIfEmpty(result.Pdf),
        Latex = NullIfEmpty(result.Latex),
        Json = NullIfEmpty(result.Json),
        JavaScript = NullIfEmpty(result.Javascript),
        Data = NullIfEmpty(result.Data),
        Chart = result.Chart?.ToChart(),
        ExecutionCount = result.ExecutionCount,
        IsMainResult = result.IsMainResult,
        Extra = new Dictionary<string, string>(result.Extra),
    };

    static SandboxChart ToChart(this Proto.Chart chart) => new SandboxChart
    {
        Type = chart.Type,
        Title = chart.Title,
        // The schema has no axis fields: the agent (and the reference interpreter) put them in extra.
        XLabel = chart.Extra.TryGetValue("x_label", out string? x) ? x : null,
        YLabel = chart.Extra.TryGetValue("y_label", out string? y) ? y : null,
        Elements = chart.Elements.Select(ToElement).ToList(),
        Extra = new Dictionary<string, string>(chart.Extra),
    };

    static SandboxChartElement ToElement(Proto.ChartElement element) => element.ElementCase switch
    {
        Proto.ChartElement.ElementOneofCase.PointData => new SandboxChartElement
        {
            Label = element.PointData.Label,
            Points = element.PointData.Points.Select(p => new SandboxChartPoint(X(p), Y(p))).ToList(),
        },
        Proto.ChartElement.ElementOneofCase.BarData => new SandboxChartElement
        {
            Label = element.BarData.Label,
            Group = element.BarData.Group,
            Value = element.BarData.Value,
        },
        Proto.ChartElement.ElementOneofCase.PieData => new SandboxChartElement
        {
            Label = element.PieData.Label,
            Angle = element.PieData.Angle,
            Radius = element.PieData.Radius,
        },
        Proto.ChartElement.ElementOneofCase.BoxWhiskerData => new SandboxChartElement
        {
            Label = element.BoxWhiskerData.Label,
            Min = element.BoxWhiskerData.Min,
            FirstQuartile = element.BoxWhiskerData.FirstQuartile,
            Median = element.BoxWhiskerData.Median,
            ThirdQuartile = element.BoxWhiskerData.ThirdQuartile,
            Max = element.BoxWhiskerData.Max,
            Outliers = element.BoxWhiskerData.Outliers.ToList(),
        },
        Proto.ChartElement.ElementOneofCase.NestedChart => new SandboxChartElement
        {
            Label = element.NestedChart.Title,
            Chart = element.NestedChart.ToChart(),
        },
        _ => new SandboxChartElement(),
    };

    static object? X(Proto.Point point) => point.XValueCase switch
    {
        Proto.Point.XValueOneofCase.XNum => point.XNum,
        Proto.Point.XValueOneofCase.XStr => point.XStr,
        _ => null,
    };

    static object? Y(Proto.Point point) => point.YValueCase switch
    {
        Proto.Point.YValueOneofCase.YNum => point.YNum,
        Proto.Point.YValueOneofCase.YStr => point.YStr,
        _ => null,
    };

    public static SandboxCodeContext ToContext(this Proto.Context context, string domain) => new SandboxCodeContext
    {
        Id = context.Id,
        Language = context.Language,
        Cwd = NullIfEmpty(context.Cwd),
        CreatedAt = context.CreatedAt?.ToDateTimeOffset(),
        Domain = domain,
    };

    static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}

using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Agent.Code;

/// <summary>Turns a runner's JSON event into the ExecuteResponse the clients expect.</summary>
public static class ExecutionEvents
{
    /// <summary>Where chart_formatter.py puts a figure's chart in the MIME bundle.</summary>
    public const string ChartMime = "application/vnd.scalebox.chart+json";

    /// <summary>Where data_formatter.py puts a DataFrame's columns in the MIME bundle.</summary>
    public const string DataMime = "application/vnd.scalebox.data+json";

    public static ExecuteResponse? ToResponse(JsonElement e) => KernelBridge.Event(e) switch
    {
        "stdout" => new ExecuteResponse { Stdout = new Output { Content = e.GetProperty("text").GetString() } },
        "stderr" => new ExecuteResponse { Stderr = new Output { Content = e.GetProperty("text").GetString() } },
        "error" => new ExecuteResponse
        {
            Error = new Error
            {
                Name = e.GetProperty("name").GetString() ?? "",
                Value = e.GetProperty("value").GetString() ?? "",
                Traceback = e.GetProperty("traceback").GetString() ?? "",
            },
        },
        "result" => new ExecuteResponse { Result = ToResult(e) },
        _ => null,
    };

    static Result ToResult(JsonElement e)
    {
        var result = new Result
        {
            IsMainResult = e.GetProperty("main").GetBoolean(),
            ExecutionCount = e.TryGetProperty("count", out JsonElement count) ? count.GetInt32() : 0,
            FinishedAt = Timestamp.FromDateTime(DateTime.UtcNow),
        };
        foreach (JsonProperty mime in e.GetProperty("data").EnumerateObject())
        {
            string text = mime.Value.ValueKind == JsonValueKind.String ? mime.Value.GetString()! : mime.Value.GetRawText();
            switch (mime.Name)
            {
                case "text/plain": result.Text = WithoutQuotes(text); break;
                case "text/html": result.Html = text; break;
                case "text/markdown": result.Markdown = text; break;
                case "image/svg+xml": result.Svg = text; break;
                case "image/png": result.Png = text; break;
                case "image/jpeg": result.Jpeg = text; break;
                case "application/pdf": result.Pdf = text; break;
                case "text/latex": result.Latex = text; break;
                case "application/json": result.Json = text; break;
                case "application/javascript": result.Javascript = text; break;
                case ChartMime: result.Chart = ChartOf(mime.Value); break;
                case DataMime: result.Data = text; break;
                default: result.Extra[mime.Name] = text; break;
            }
        }
        return result;
    }

    /// <summary>
    /// A string's repr without its single quotes, as the reference code interpreter gives a result's
    /// text: <c>'hello'</c> is <c>hello</c> (a repr in double quotes, of a string holding a single
    /// quote, keeps them, as there).
    /// </summary>
    static string WithoutQuotes(string text) =>
        text.Length > 0 && text[0] == '\'' && text[^1] == '\'' ? text[Math.Min(1, text.Length - 1)..^1] : text; // "'" alone is "", as Python's [1:-1]

    /// <summary>
    /// The chart schema has no axis fields, so x_label, y_label, x_scale and y_scale go into
    /// chart.extra; a figure with several axes is a "superchart" of nested charts.
    /// </summary>
    static Chart ChartOf(JsonElement c)
    {
        var chart = new Chart { Type = Str(c, "type"), Title = Str(c, "title") };
        foreach (string key in new[] { "x_label", "y_label", "x_scale", "y_scale" })
        {
            if (c.TryGetProperty(key, out JsonElement v) && v.ValueKind == JsonValueKind.String)
            {
                chart.Extra[key] = v.GetString();
            }
        }
        foreach (JsonElement element in c.GetProperty("elements").EnumerateArray())
        {
            chart.Elements.Add(chart.Type switch
            {
                "superchart" => new ChartElement { NestedChart = ChartOf(element) },
                "bar" => new ChartElement { BarData = new BarData { Label = Str(element, "label"), Group = Str(element, "group"), Value = Str(element, "value") } },
                "pie" => new ChartElement { PieData = new PieData { Label = Str(element, "label"), Angle = element.GetProperty("angle").GetDouble(), Radius = element.GetProperty("radius").GetDouble() } },
                "box_and_whisker" => new ChartElement { BoxWhiskerData = BoxOf(element) },
                _ => new ChartElement { PointData = PointsOf(element) },
            });
        }
        return chart;
    }

    static BoxAndWhiskerData BoxOf(JsonElement e)
    {
        var box = new BoxAndWhiskerData
        {
            Label = Str(e, "label"),
            Min = e.GetProperty("min").GetDouble(),
            FirstQuartile = e.GetProperty("first_quartile").GetDouble(),
            Median = e.GetProperty("median").GetDouble(),
            ThirdQuartile = e.GetProperty("third_quartile").GetDouble(),
            Max = e.GetProperty("max").GetDouble(),
        };
        box.Outliers.AddRange(e.GetProperty("outliers").EnumerateArray().Select(v => v.GetDouble()));
        return box;
    }

    static PointData PointsOf(JsonElement element)
    {
        var data = new PointData { Label = Str(element, "label") };
        foreach (JsonElement pair in element.GetProperty("points").EnumerateArray())
        {
            var point = new Point();
            JsonElement x = pair[0], y = pair[1];
            if (x.ValueKind == JsonValueKind.Number) point.XNum = x.GetDouble(); else point.XStr = x.ToString();
            if (y.ValueKind == JsonValueKind.Number) point.YNum = y.GetDouble(); else point.YStr = y.ToString();
            data.Points.Add(point);
        }
        return data;
    }

    static string Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
}

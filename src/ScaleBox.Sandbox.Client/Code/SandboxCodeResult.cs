using System.Collections.Generic;

namespace ScaleBox.Sandbox.Client.Code;

/// <summary>
/// A rich result: the value of the code's last expression (<see cref="IsMainResult"/>), or
/// something it displayed, such as a plotted figure. Each format the kernel offered is set;
/// binary ones (Png, Jpeg, Pdf) are base64 text, as the agent sends them.
/// </summary>
public sealed class SandboxCodeResult : SandboxCodeEvent
{
    public string? Text { get; init; }

    public string? Html { get; init; }

    public string? Markdown { get; init; }

    public string? Svg { get; init; }

    public string? Png { get; init; }

    public string? Jpeg { get; init; }

    public string? Pdf { get; init; }

    public string? Latex { get; init; }

    public string? Json { get; init; }

    public string? JavaScript { get; init; }

    public string? Data { get; init; }

    public SandboxChart? Chart { get; init; }

    public int ExecutionCount { get; init; }

    /// <summary>True for the value of the last expression; false for a display (a figure, display()).</summary>
    public bool IsMainResult { get; init; }

    /// <summary>Formats without a field of their own, by MIME type.</summary>
    public IReadOnlyDictionary<string, string> Extra { get; init; } = new Dictionary<string, string>();

    /// <summary>The formats present, e.g. <c>text, png, chart</c>.</summary>
    public IReadOnlyList<string> Formats
    {
        get
        {
            var formats = new List<string>();
            void Add(string name, object? value)
            {
                if (value is string text ? text.Length > 0 : value is not null)
                {
                    formats.Add(name);
                }
            }
            Add("text", Text);
            Add("html", Html);
            Add("markdown", Markdown);
            Add("svg", Svg);
            Add("png", Png);
            Add("jpeg", Jpeg);
            Add("pdf", Pdf);
            Add("latex", Latex);
            Add("json", Json);
            Add("javascript", JavaScript);
            Add("data", Data);
            Add("chart", Chart);
            formats.AddRange(Extra.Keys);
            return formats;
        }
    }

    /// <summary>
    /// One line that says what the result is: its text, or for what has none a description such
    /// as <c>&lt;image/png 640x480&gt;</c>.
    /// </summary>
    public string Summary
    {
        get
        {
            // A figure's text is only "<Figure size 640x480 with 1 Axes>": the image says more.
            if (!string.IsNullOrEmpty(Text) && Png is null && Jpeg is null && Svg is null && Pdf is null)
            {
                return Text!;
            }
            if (Png is not null)
            {
                return ImageSize.OfPng(Png) is (int w, int h) ? $"<image/png {w}x{h}>" : "<image/png>";
            }
            if (Jpeg is not null)
            {
                return ImageSize.OfJpeg(Jpeg) is (int w, int h) ? $"<image/jpeg {w}x{h}>" : "<image/jpeg>";
            }
            if (Svg is not null) return "<image/svg+xml>";
            if (Pdf is not null) return "<application/pdf>";
            if (Html is not null) return "<text/html>";
            return Text ?? "<" + string.Join(", ", Formats) + ">";
        }
    }

    public override string ToString() => Summary;
}

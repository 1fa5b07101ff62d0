using System.Text.Json;
using ScaleBox.Sandbox.Tests.Connect;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.Agent.Code;

/// <summary>
/// The official @scalebox/sdk 3.7.0 (tests/interop/sdk-code.mjs) runs its code flows against the
/// agent over Connect: createCodeContext, runCode with stdout, a main result, an error, a
/// deadline that interrupts a loop (Connect-Timeout-Ms) and a matplotlib chart, then destroyContext.
/// </summary>
[Collection(LocalAgentCollection.Name)]
public sealed class SdkCodeInteropTests(LocalAgentFixture agent)
{
    [SdkCodeFact]
    public async Task The_official_SDK_creates_a_context_runs_code_reads_results_errors_and_charts_and_destroys_it()
    {
        JsonElement seen = await NodeInterop.RunScriptAsync("sdk-code.mjs", agent.HttpAddress.GetLeftPart(UriPartial.Authority)["http://".Length..], agent.AccessToken);

        JsonElement context = seen.GetProperty("context");
        Assert.Equal("python", context.GetProperty("language").GetString());
        Assert.Equal(NodeInterop.Folder, context.GetProperty("cwd").GetString());

        JsonElement printed = seen.GetProperty("printed");
        Assert.Equal("hello\n", printed.GetProperty("stdout").GetString());
        Assert.Equal("42", printed.GetProperty("text").GetString());
        Assert.Equal(["hello\n"], printed.GetProperty("onStdout").EnumerateArray().Select(e => e.GetString()));
        Assert.False(printed.TryGetProperty("error", out _));

        JsonElement timedOut = seen.GetProperty("timedOut");
        Assert.Contains("timed out", timedOut.GetProperty("error").GetString());
        Assert.Equal("42", timedOut.GetProperty("after").GetString());

        JsonElement error = seen.GetProperty("failed").GetProperty("error");
        Assert.Equal("ZeroDivisionError", error.GetProperty("name").GetString());
        Assert.Equal("division by zero", error.GetProperty("value").GetString());
        Assert.Contains("1 / 0", error.GetProperty("traceback").GetString());

        JsonElement charted = seen.GetProperty("charted");
        Assert.True(charted.GetProperty("png").GetInt32() > 0);
        JsonElement chart = charted.GetProperty("chart");
        Assert.Equal("line", chart.GetProperty("type").GetString());
        Assert.Equal("growth", chart.GetProperty("title").GetString());
        Assert.Equal("t", chart.GetProperty("xLabel").GetString());
        JsonElement points = Assert.Single(chart.GetProperty("elements").EnumerateArray()).GetProperty("points");
        Assert.Equal([(1.0, 2.0), (2.0, 4.0), (3.0, 8.0)], points.EnumerateArray().Select(p => (p.GetProperty("x").GetDouble(), p.GetProperty("y").GetDouble())));
        JsonElement figure = Assert.Single(charted.GetProperty("results").EnumerateArray());
        Assert.False(figure.GetProperty("isMainResult").GetBoolean());

        JsonElement gone = seen.GetProperty("afterDestroy").GetProperty("error");
        Assert.Contains("not_found", gone.GetProperty("value").GetString());
    }
}

/// <summary>Needs the SDK's packages (npm ci in tests/interop) and a Python kernel with matplotlib.</summary>
public sealed class SdkCodeFactAttribute : FactAttribute
{
    public SdkCodeFactAttribute()
    {
        if ((NodeInterop.MissingPrerequisite ?? Kernels.MissingPlotting) is { } missing)
        {
            Skip = missing;
        }
    }
}

using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Protocol;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.Agent.Code;

/// <summary>Displays from a real kernel: matplotlib figures as png plus their chart, DataFrames as html.</summary>
[Collection(LocalAgentCollection.Name)]
public sealed class RichResultTests(LocalAgentFixture agent)
{
    [PlottingTheory, BothProtocols]
    public async Task A_line_plot_gives_a_png_display_and_a_chart_with_its_points(SandboxProtocol protocol)
    {
        using var rpc = new CodeRpc(agent, protocol);
        Context context = await rpc.CreateAsync();

        CodeRun run = (await rpc.RunAsync(context.Id,
            "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3], [2, 4, 8], label='growth')\nplt.title('Doubling')\nplt.xlabel('step')\nplt.ylabel('size')\nplt.show()")).Ok();

        Result figure = Assert.Single(run.Results);
        Assert.False(figure.IsMainResult);
        Assert.StartsWith("iVBORw0KGgo", figure.Png); // base64 of the PNG signature
        Chart chart = figure.Chart;
        Assert.Equal("line", chart.Type);
        Assert.Equal("Doubling", chart.Title);
        Assert.Equal("step", chart.Extra["x_label"]);
        Assert.Equal("size", chart.Extra["y_label"]);
        PointData line = Assert.Single(chart.Elements).PointData;
        Assert.Equal("growth", line.Label);
        Assert.Equal([(1.0, 2.0), (2.0, 4.0), (3.0, 8.0)], line.Points.Select(p => (p.XNum, p.YNum)));
    }

    [PlottingTheory, BothProtocols]
    public async Task A_bar_chart_carries_its_labels_and_values(SandboxProtocol protocol)
    {
        using var rpc = new CodeRpc(agent, protocol);
        Context context = await rpc.CreateAsync();

        CodeRun run = (await rpc.RunAsync(context.Id,
            "import matplotlib.pyplot as plt\nplt.bar(['apples', 'pears', 'plums'], [3, 5, 2])\nplt.title('Fruit')\nplt.show()")).Ok();

        Chart chart = Assert.Single(run.Results).Chart;
        Assert.Equal("bar", chart.Type);
        Assert.Equal("Fruit", chart.Title);
        Assert.Equal([("apples", "3"), ("pears", "5"), ("plums", "2")], chart.Elements.Select(e => (e.BarData.Label, e.BarData.Value)));
    }

    [PlottingTheory, BothProtocols]
    public async Task Scatter_and_pie_plots_are_charts_of_their_kind(SandboxProtocol protocol)
    {
        using var rpc = new CodeRpc(agent, protocol);
        Context context = await rpc.CreateAsync();

        Chart scatter = Assert.Single((await rpc.RunAsync(context.Id,
            "import matplotlib.pyplot as plt\nplt.scatter([1, 2], [5, 6])\nplt.show()")).Ok().Results).Chart;
        Chart pie = Assert.Single((await rpc.RunAsync(context.Id,
            "plt.pie([1, 3], labels=['small', 'large'])\nplt.show()")).Ok().Results).Chart;

        Assert.Equal("scatter", scatter.Type);
        Assert.Equal([(1.0, 5.0), (2.0, 6.0)], Assert.Single(scatter.Elements).PointData.Points.Select(p => (p.XNum, p.YNum)));
        Assert.Equal("pie", pie.Type);
        Assert.Equal([("small", 90.0), ("large", 270.0)], pie.Elements.Select(e => (e.PieData.Label, Math.Round(e.PieData.Angle, 6))));
    }

    [PlottingTheory, BothProtocols]
    public async Task A_DataFrame_is_a_main_result_with_html_text_and_its_columns_as_data(SandboxProtocol protocol)
    {
        using var rpc = new CodeRpc(agent, protocol);
        Context context = await rpc.CreateAsync();

        CodeRun run = (await rpc.RunAsync(context.Id,
            "import pandas as pd\npd.DataFrame({'name': ['ada', 'bob'], 'age': [36, 41], 'score': [1.5, float('nan')]})")).Ok();

        Result main = Assert.IsType<Result>(run.Main);
        Assert.Contains("<table", main.Html);
        Assert.Contains("<td>ada</td>", main.Html);
        Assert.Contains("bob", main.Text);
        // As the reference code interpreter's data: each column's values (to_dict(orient="list")), NaN as null.
        using var data = System.Text.Json.JsonDocument.Parse(main.Data);
        Assert.Equal("""{"name":["ada","bob"],"age":[36,41],"score":[1.5,null]}""",
            System.Text.Json.JsonSerializer.Serialize(data.RootElement));
        Assert.DoesNotContain(main.Extra.Keys, k => k.Contains("data", StringComparison.Ordinal));
    }

    [PythonKernelTheory, BothProtocols]
    public async Task A_string_result_is_its_text_without_the_repr_quotes_and_a_list_has_no_data(SandboxProtocol protocol)
    {
        using var rpc = new CodeRpc(agent, protocol);
        Context context = await rpc.CreateAsync();

        Result text = (await rpc.RunAsync(context.Id, "'abc' * 2")).Ok().Main!;
        Result quoted = (await rpc.RunAsync(context.Id, "\"it's\"")).Ok().Main!;
        Result list = (await rpc.RunAsync(context.Id, "[1, 'a']")).Ok().Main!;

        Assert.Equal("abcabc", text.Text);
        Assert.Equal("\"it's\"", quoted.Text); // repr in double quotes: kept, as the reference keeps it
        Assert.Equal("[1, 'a']", list.Text);
        Assert.Equal("", list.Data);
    }

    [PlottingTheory, BothProtocols]
    public async Task A_box_plot_carries_its_quartiles_whiskers_and_outliers(SandboxProtocol protocol)
    {
        using var rpc = new CodeRpc(agent, protocol);
        Context context = await rpc.CreateAsync();

        CodeRun run = (await rpc.RunAsync(context.Id,
            "import matplotlib.pyplot as plt\nplt.boxplot([[1, 2, 3, 4, 5, 100]], labels=['sizes'])\nplt.show()")).Ok();

        Chart chart = Assert.Single(run.Results).Chart;
        Assert.Equal("box_and_whisker", chart.Type);
        BoxAndWhiskerData box = Assert.Single(chart.Elements).BoxWhiskerData;
        Assert.Equal("sizes", box.Label);
        Assert.Equal((1.0, 2.25, 3.5, 4.75, 5.0), (box.Min, box.FirstQuartile, box.Median, box.ThirdQuartile, box.Max));
        Assert.Equal([100.0], box.Outliers);
    }
}

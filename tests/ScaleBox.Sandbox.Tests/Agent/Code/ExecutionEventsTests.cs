using System.Text.Json;
using ScaleBox.Sandbox.Agent.Code;

namespace ScaleBox.Sandbox.Tests.Agent.Code;

/// <summary>A runner's result event as the clients get it: the text as the reference code interpreter gives it.</summary>
public sealed class ExecutionEventsTests
{
    [Theory]
    [InlineData("'hello'", "hello")]
    [InlineData("''", "")]
    [InlineData("'", "")]          // Python's "'"[1:-1]
    [InlineData("\"it's\"", "\"it's\"")]
    [InlineData("42", "42")]
    [InlineData("", "")]
    public void A_result_text_loses_the_single_quotes_of_a_repr(string plain, string expected)
    {
        using var e = JsonDocument.Parse(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["ev"] = "result",
            ["main"] = true,
            ["data"] = new Dictionary<string, string> { ["text/plain"] = plain },
        }));

        Assert.Equal(expected, ExecutionEvents.ToResponse(e.RootElement)!.Result.Text);
    }
}

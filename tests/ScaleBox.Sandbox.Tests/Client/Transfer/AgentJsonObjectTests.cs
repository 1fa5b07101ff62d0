using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Client.Transfer;

namespace ScaleBox.Sandbox.Tests.Client.Transfer;

/// <summary>The JSON of the agent's plain HTTP answers, read as far as the client looks into it.</summary>
public sealed class AgentJsonObjectTests
{
    [Fact]
    public void Reads_string_fields_and_nested_objects()
    {
        AgentJsonObject? json = AgentJsonObject.TryParse("{\"name\":\"a b\",\"size\":3,\"error\":{\"message\":\"n\\u00e4sted \\\"quoted\\\"\"},\"empty\":\"\"}");

        Assert.NotNull(json);
        Assert.Equal("a b", json!.String("name"));
        Assert.Equal("nästed \"quoted\"", json.Object("error")?.String("message"));
        Assert.Null(json.String("size"));   // a number is not a string
        Assert.Null(json.String("empty"));  // nor is an empty one worth taking
        Assert.Null(json.Object("name"));
        Assert.Null(json.String("missing"));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"unterminated\":")]
    [InlineData("[1,2]")]
    [InlineData("\"just a string\"")]
    [InlineData("")]
    public void Anything_but_an_object_is_null(string text)
    {
        Assert.Null(AgentJsonObject.TryParse(text));
    }

    [Fact]
    public void An_array_gives_its_first_object_only_when_asked()
    {
        const string text = "[{\"type\":\"dir\"},{\"type\":\"file\"}]";

        Assert.Null(AgentJsonObject.TryParse(text));
        Assert.Equal("dir", AgentJsonObject.TryParse(text, firstOfArray: true)?.String("type"));
        Assert.Null(AgentJsonObject.TryParse("[]", firstOfArray: true));
    }

    [Fact]
    public void Nesting_beyond_the_readers_depth_limit_is_refused_not_overflowed()
    {
        // An untrusted sandbox can send any body; a deep one must end as "not JSON", not as a crash.
        string deep = new string('[', 100_000) + new string(']', 100_000);

        Assert.Null(AgentJsonObject.TryParse(deep, firstOfArray: true));
    }

    [Fact]
    public void A_string_with_a_lone_surrogate_escape_makes_the_document_unreadable_not_a_crash()
    {
        const string body = "{\"message\":\"half \\ud800 a pair\"}";

        Assert.Null(AgentJsonObject.TryParse(body));
        Assert.Equal(body, AgentHttpErrors.ExtractMessage(body)); // the text itself, as for any body that is not readable JSON
    }

    [Theory]
    [InlineData("{\"name\":\"x\",\"type\":\"file\",\"path\":\"/x\"}", SandboxItemType.File)]
    [InlineData("[{\"name\":\"d\",\"type\":\"dir\",\"path\":\"/d\"}]", SandboxItemType.Directory)]
    [InlineData("{\"type\":\"directory\"}", SandboxItemType.Directory)]
    [InlineData("uploaded: /x", SandboxItemType.File)]
    [InlineData(null, SandboxItemType.File)]
    public void An_upload_answer_gives_the_item_type(string? body, SandboxItemType expected)
    {
        Assert.Equal(expected, UploadResponse.TypeOf(body));
    }
}

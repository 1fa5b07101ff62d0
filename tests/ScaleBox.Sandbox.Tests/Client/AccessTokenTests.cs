using ScaleBox.Sandbox.Client.Transport;

namespace ScaleBox.Sandbox.Tests.Client;

/// <summary>The token must never show: not when printed, formatted, or echoed back by a server.</summary>
public sealed class AccessTokenTests
{
    const string Secret = "f00dfeed1234";

    [Fact]
    public void Prints_as_a_mask()
    {
        var token = new AccessToken(Secret);
        Assert.Equal(AccessToken.Mask, token.ToString());
        Assert.DoesNotContain(Secret, $"token={token}", StringComparison.Ordinal);
    }

    [Fact]
    public void Reveals_the_value_only_for_building_headers()
    {
        Assert.Equal(Secret, new AccessToken(Secret).Reveal());
    }

    [Fact]
    public void Redact_masks_every_occurrence_and_keeps_the_rest()
    {
        var token = new AccessToken(Secret);
        string redacted = token.Redact($"bad token {Secret}; expected not {Secret}.");
        Assert.Equal($"bad token {AccessToken.Mask}; expected not {AccessToken.Mask}.", redacted);
    }

    [Fact]
    public void Is_found_in_the_message_of_an_exception_at_any_depth_and_in_every_branch_of_an_aggregate()
    {
        var token = new AccessToken(Secret);
        var deep = new InvalidOperationException("outer", new IOException("middle", new HttpRequestException($"echoed {Secret}")));
        var branch = new AggregateException(new TimeoutException("first"), new Exception("second", new Exception($"header was {Secret}")));

        Assert.True(token.OccursIn(deep));
        Assert.True(token.OccursIn(branch));
        Assert.True(token.OccursIn(new Exception(Secret)));
    }

    [Fact]
    public void Is_not_found_in_an_exception_whose_messages_do_not_hold_it()
    {
        var token = new AccessToken(Secret);
        Exception thrown;
        try
        {
            throw new InvalidOperationException("outer", new AggregateException(new IOException("reset")));
        }
        catch (InvalidOperationException e)
        {
            thrown = e;
        }

        Assert.False(token.OccursIn(thrown));
        Assert.False(token.OccursIn(null));
    }

    [Fact]
    public void Redact_leaves_text_without_the_token_unchanged()
    {
        Assert.Equal("path not found: /x", new AccessToken(Secret).Redact("path not found: /x"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Redact_turns_no_text_into_empty_text(string? text)
    {
        Assert.Equal(string.Empty, new AccessToken(Secret).Redact(text));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void An_empty_token_is_refused(string? value)
    {
        Assert.Throws<ArgumentException>(() => new AccessToken(value!));
    }

    [Theory]
    [InlineData(Secret + "\n")]
    [InlineData(Secret + "\r\n")]
    [InlineData("  " + Secret + "\t")]
    public void Drops_the_whitespace_around_it_that_a_file_or_a_terminal_leaves(string given)
    {
        Assert.Equal(Secret, new AccessToken(given).Reveal());
    }

    [Theory]
    [InlineData("f00d\nfeed")]
    [InlineData("f00d feed")]
    [InlineData("f00d\u0000feed")]
    [InlineData(" \n ")]
    public void Refuses_a_token_that_no_header_can_carry_without_showing_it(string given)
    {
        var refused = Assert.Throws<ArgumentException>(() => new AccessToken(given));
        Assert.Equal(nameof(AccessToken), refused.ParamName);
        Assert.DoesNotContain("f00d", refused.Message, StringComparison.Ordinal);
    }
}

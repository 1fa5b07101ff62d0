using ScaleBox.Sandbox.Client.Code;

namespace ScaleBox.Sandbox.Tests.Client;

/// <summary>How a code error reads, whichever of its name and value the kernel gave.</summary>
public sealed class SandboxCodeErrorTests
{
    [Theory]
    [InlineData("ZeroDivisionError", "division by zero", "ZeroDivisionError: division by zero")]
    [InlineData("KeyboardInterrupt", "", "KeyboardInterrupt")]
    [InlineData("", "1", "1")] // a bash kernel's failed command: no type, the exit status
    public void Reads_as_name_and_value_or_whichever_was_given(string name, string value, string expected)
    {
        Assert.Equal(expected, new SandboxCodeError(name, value, "").ToString());
    }
}

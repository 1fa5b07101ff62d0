using ScaleBox.Sandbox.Agent.Code;

namespace ScaleBox.Sandbox.Tests.Agent.Code;

/// <summary>
/// A code runner's end, as the agent words it when the runner itself is gone, reads as the bridges
/// word a kernel's end (child_signals.py: the signal by its symbol, SIGKILL with its likeliest cause),
/// so that one context's death reads the same whichever side saw it.
/// </summary>
public sealed class KernelEndingTests
{
    [Theory]
    [InlineData(0, "the python kernel exited with code 0")]
    [InlineData(3, "the python kernel exited with code 3")]
    [InlineData(128 + 15, "the python kernel was killed by SIGTERM")]
    [InlineData(128 + 11, "the python kernel was killed by SIGSEGV")]
    [InlineData(128 + 9, "the python kernel was killed by SIGKILL (sent by the system when it runs out of memory, among others)")]
    public void A_runners_exit_code_is_worded_as_the_bridges_word_a_kernels_end(int exitCode, string expected) =>
        Assert.Equal(expected, KernelBridge.Ending("the python kernel", exitCode));
}

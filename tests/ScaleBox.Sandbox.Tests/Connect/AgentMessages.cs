using Google.Protobuf.Reflection;
using ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Tests.Connect;

/// <summary>The schema's messages by name, for tests that build requests from descriptors.</summary>
public static class AgentMessages
{
    public static readonly FileDescriptor File = SandboxagentReflection.Descriptor;

    public static MessageDescriptor Find(string name) =>
        File.FindTypeByName<MessageDescriptor>(name) ?? throw new ArgumentException($"No message {name} in {File.Name}.", nameof(name));
}

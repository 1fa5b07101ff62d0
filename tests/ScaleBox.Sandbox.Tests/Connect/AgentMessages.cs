using Google.Protobuf.Reflection;
using ScaleBox.Sandbox.Agent.Filesystem;

namespace ScaleBox.Sandbox.Tests.Connect;

/// <summary>
/// The agent's messages, found by name in its generated descriptor. The client library compiles the
/// same .proto into the same namespace (internal there, but visible to these tests), so naming a
/// generated type here would be ambiguous; the agent's own descriptor is not.
/// </summary>
public static class AgentMessages
{
    public static readonly FileDescriptor File = (FileDescriptor)typeof(FilesystemService).Assembly
        .GetType("ScaleBox.Sandbox.Protocol.SandboxagentReflection", throwOnError: true)!
        .GetProperty("Descriptor")!
        .GetValue(null)!;

    public static MessageDescriptor Find(string name) =>
        File.FindTypeByName<MessageDescriptor>(name) ?? throw new ArgumentException($"No message {name} in {File.Name}.", nameof(name));
}

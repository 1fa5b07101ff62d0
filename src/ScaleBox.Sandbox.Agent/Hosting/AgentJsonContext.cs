using System.Text.Json.Serialization;
using ScaleBox.Sandbox.Agent.Auth;

namespace ScaleBox.Sandbox.Agent.Hosting;

/// <summary>Source-generated JSON for the agent's plain HTTP bodies (the slim builder has no reflection JSON).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(UnauthorizedBody))]
public sealed partial class AgentJsonContext : JsonSerializerContext;

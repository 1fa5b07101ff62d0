namespace ScaleBox.Sandbox.Tests.Infrastructure;

/// <summary>
/// Every end-to-end test class joins this collection, so one agent serves them all. Tests in one
/// collection run one after another, which keeps the 2-core machine from being oversubscribed.
/// </summary>
[CollectionDefinition(Name)]
public sealed class LocalAgentCollection : ICollectionFixture<LocalAgentFixture>
{
    public const string Name = "Local agent";
}

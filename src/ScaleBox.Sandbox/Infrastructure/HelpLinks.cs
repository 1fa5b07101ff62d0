namespace ScaleBox.Sandbox.Infrastructure;

/// <summary>
/// Where Get-Help -Online goes: each cmdlet's page in the project's docs/en-US, the same markdown
/// the shipped help is made from (its "online version" says the same; a test keeps the two equal).
/// </summary>
internal static class HelpLinks
{
    public const string Root = "https://github.com/scalebox-dev/ScaleBox.Sandbox/blob/main/docs/en-US/";
}

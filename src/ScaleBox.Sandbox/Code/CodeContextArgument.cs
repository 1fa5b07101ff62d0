using System.Management.Automation;
using ScaleBox.Sandbox.Client.Code;

namespace ScaleBox.Sandbox.Code;

/// <summary>-Context as a context object from New-SbxCodeContext or its id as text.</summary>
internal static class CodeContextArgument
{
    public static string? IdOf(object? value) => (value is PSObject wrapped ? wrapped.BaseObject : value) switch
    {
        null => null,
        SandboxCodeContext context => context.Id,
        string text => text,
        object other => LanguagePrimitives.ConvertTo<string>(other),
    };
}

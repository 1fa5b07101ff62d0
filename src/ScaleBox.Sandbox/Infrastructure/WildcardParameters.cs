using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Management.Automation;
using System.Reflection;

namespace ScaleBox.Sandbox.Infrastructure;

/// <summary>
/// Which of this module's parameters take wildcards, read from their [SupportsWildcards]: what a
/// completer offers for one must be escaped (`[ `] `* `?), as PowerShell's own path completion does
/// for -Path, or the completed name would be read as a pattern and could name another item.
/// </summary>
internal static class WildcardParameters
{
    static readonly ConcurrentDictionary<string, bool> Known = new(StringComparer.OrdinalIgnoreCase);

    public static bool Contains(string commandName, string parameterName) =>
        Known.GetOrAdd(commandName + " -" + parameterName, _ => Find(commandName, parameterName));

    static bool Find(string commandName, string parameterName)
    {
        // A module-qualified name ("ScaleBox.Sandbox\Get-SbxItem") names the same cmdlet.
        string name = commandName.Substring(commandName.LastIndexOf('\\') + 1);
        Type? cmdlet = typeof(WildcardParameters).Assembly.GetTypes().FirstOrDefault(type =>
            type.GetCustomAttribute<CmdletAttribute>() is { } attribute
            && string.Equals(attribute.VerbName + "-" + attribute.NounName, name, StringComparison.OrdinalIgnoreCase));
        PropertyInfo? parameter = cmdlet?.GetProperties(BindingFlags.Public | BindingFlags.Instance).FirstOrDefault(property =>
            property.IsDefined(typeof(ParameterAttribute), inherit: true)
            && (string.Equals(property.Name, parameterName, StringComparison.OrdinalIgnoreCase)
                || property.GetCustomAttributes<AliasAttribute>(inherit: true)
                    .Any(alias => alias.AliasNames.Contains(parameterName, StringComparer.OrdinalIgnoreCase))));
        return parameter?.IsDefined(typeof(SupportsWildcardsAttribute), inherit: true) == true;
    }
}

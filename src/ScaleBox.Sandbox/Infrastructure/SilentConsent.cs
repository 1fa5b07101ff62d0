using System.Collections.Generic;
using System.Management.Automation;

namespace ScaleBox.Sandbox.Infrastructure;

/// <summary>
/// Whether ShouldProcess would answer yes without a word: no -WhatIf, no prompt (-Confirm, or
/// $ConfirmPreference at or below the cmdlet's impact), no verbose line that names the action. Then
/// nobody reads how the action is worded, and a cmdlet may look an item up and act on it in one step
/// off the pipeline thread, instead of looking it up first to word its question.
/// </summary>
internal static class SilentConsent
{
    public static bool Holds(PSCmdlet cmdlet, ConfirmImpact impact)
    {
        Dictionary<string, object> bound = cmdlet.MyInvocation.BoundParameters;
        if (Switch(bound, "WhatIf") ?? LanguagePrimitives.IsTrue(cmdlet.GetVariableValue("WhatIfPreference")))
        {
            return false;
        }
        if (Switch(bound, "Verbose")
            ?? Preference(cmdlet, "VerbosePreference", ActionPreference.SilentlyContinue) is not (ActionPreference.SilentlyContinue or ActionPreference.Ignore))
        {
            return false;
        }
        ConfirmImpact preference = Switch(bound, "Confirm") is bool confirm
            ? (confirm ? ConfirmImpact.Low : ConfirmImpact.None)
            : Preference(cmdlet, "ConfirmPreference", ConfirmImpact.High);
        // PowerShell asks when the impact reaches the preference, unless the preference is None.
        return preference == ConfirmImpact.None || impact < preference;
    }

    static bool? Switch(Dictionary<string, object> bound, string name) =>
        bound.TryGetValue(name, out object? value) ? LanguagePrimitives.IsTrue(value) : null;

    static T Preference<T>(PSCmdlet cmdlet, string variable, T unset) where T : struct =>
        cmdlet.GetVariableValue(variable) is { } set && LanguagePrimitives.TryConvertTo(set, out T value) ? value : unset;
}

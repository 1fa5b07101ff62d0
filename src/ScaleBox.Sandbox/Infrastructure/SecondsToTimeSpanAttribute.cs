using System;
using System.Management.Automation;

namespace ScaleBox.Sandbox.Infrastructure;

/// <summary>
/// Lets a TimeSpan parameter take a plain number as seconds. PowerShell's own conversion reads
/// a number as ticks, so "-ExpiresIn 600" would otherwise mean 60 microseconds (and a string
/// "600" as 600 days).
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class SecondsToTimeSpanAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        object value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        return value switch
        {
            int seconds => TimeSpan.FromSeconds(seconds),
            long seconds => TimeSpan.FromSeconds(seconds),
            double seconds => TimeSpan.FromSeconds(seconds),
            decimal seconds => TimeSpan.FromSeconds((double)seconds),
            // "600" would otherwise parse as 600 days; '00:10:00' and '1.00:00:00' keep their meaning.
            string text when double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double seconds)
                => TimeSpan.FromSeconds(seconds),
            _ => inputData,
        };
    }
}

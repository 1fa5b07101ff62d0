using System;
using System.Management.Automation;

namespace ScaleBox.Sandbox.Infrastructure
{
    /// <summary>
    /// Lets a TimeSpan parameter take a plain number as seconds. PowerShell's own conversion reads
    /// a number as ticks, so "-ExpiresIn 600" would otherwise mean 60 microseconds.
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
                _ => inputData,
            };
        }
    }
}

using System.Management.Automation;
using XSArena.Core.Jobs;

namespace XSArena.PowerShell;

/// <summary>Turns the argument of an age parameter into a <see cref="TimeSpan"/> with <see cref="AgeArgument"/>'s
/// rules before PowerShell's own conversion runs (which reads <c>30</c> as 30 ticks).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class AgeTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        try { return AgeArgument.Parse(value); }
        catch (ArgumentException ex) { throw new ArgumentTransformationMetadataException(ex.Message, ex); }
    }
}

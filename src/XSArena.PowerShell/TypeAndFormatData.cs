using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using PS = System.Management.Automation.PowerShell;

namespace XSArena.PowerShell;

/// <summary>XSArena.Types.ps1xml (the State override, DESIGN §3.1) and XSArena.Format.ps1xml (the default views),
/// loaded into a session when it first meets an XSArena object (an XSArena cmdlet runs, or Get-Job and the other
/// job cmdlets ask the adapter) rather than listed in the manifest: processing them cost more than the rest of
/// Import-Module together, and a session that never lists a job never needs them.</summary>
internal static class TypeAndFormatData
{
    /// <summary>The sessions that have them (or are loading them now).</summary>
    private static readonly ConditionalWeakTable<Runspace, object> Loaded = new();
    private static readonly object Yes = new();
    private static readonly string ModuleBase = Path.GetDirectoryName(typeof(TypeAndFormatData).Assembly.Location) ?? "";

    private const string TypesFile = "XSArena.Types.ps1xml";
    private const string FormatFile = "XSArena.Format.ps1xml";

    /// <summary>Loads both files into the current session once. It runs them as a nested pipeline, so it does
    /// nothing off the session's pipeline thread (it is tried again on the next call from there).</summary>
    public static void EnsureLoaded()
    {
        if (Runspace.DefaultRunspace is not { } runspace || Loaded.TryGetValue(runspace, out _)) return;
        var types = Path.Combine(ModuleBase, TypesFile);
        var formats = Path.Combine(ModuleBase, FormatFile);
        if (!File.Exists(types) || !File.Exists(formats)) return; // the dll imported on its own
        if (!Loaded.TryAdd(runspace, Yes)) return;
        try
        {
            using var ps = PS.Create(RunspaceMode.CurrentRunspace);
            ps.AddCommand(@"Microsoft.PowerShell.Utility\Update-TypeData").AddParameter("AppendPath", types)
                .AddStatement().AddCommand(@"Microsoft.PowerShell.Utility\Update-FormatData").AddParameter("AppendPath", formats);
            ps.Invoke(); // errors (e.g. a session whose type table is shared and cannot change) stay in ps.Streams
        }
        catch (Exception ex) when (ex is InvalidOperationException or RuntimeException)
        {
            Loaded.Remove(runspace); // not the pipeline thread: the next call from it loads them
        }
    }
}

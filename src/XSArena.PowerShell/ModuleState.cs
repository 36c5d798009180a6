using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;
using System.Runtime.CompilerServices;
using XSArena.Core.Store;
using XSArena.PowerShell.Jobs;

namespace XSArena.PowerShell;

/// <summary>What importing and removing the module does to a session (DESIGN §3.5). Import names the roots the
/// session starts with (the <c>XSARENA_PROJECT_ROOT</c> root and the root of the current location) and hooks the
/// session's location changes, ahead of any handler set before (which still runs), so Get-Job lists the jobs of
/// every project the session has been in; Remove-Module puts the previous handler back. Import is kept cheap (figure
/// 7 of the benchmark): no disk access, no thread, nothing from XSArena.Core; the roots are resolved when jobs are
/// first asked for, and the type and format data are loaded then too (<see cref="TypeAndFormatData"/>).</summary>
public sealed class ModuleState : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    /// <summary>The location hook of each session that imported the module.</summary>
    private static readonly ConditionalWeakTable<Runspace, LocationHook> Hooks = new();

    /// <summary>Runs on the pipeline thread of the Import-Module that loads the dll, so the default runspace is
    /// the importing session.</summary>
    public void OnImport()
    {
        if (Runspace.DefaultRunspace is not { } runspace) return;
        // A new SessionState reaches the importing session's location and LocationChangedAction; the session's
        // own SessionStateProxy refuses calls while the import pipeline runs.
        var session = new SessionState();
        PendingRoots.Add(Environment.GetEnvironmentVariable(ProjectRoot.EnvironmentVariable), // a const: Core stays unloaded
            session.Path.CurrentFileSystemLocation.ProviderPath);
        LocationHook.Install(session.InvokeCommand, Hooks, runspace);
    }

    public void OnRemove(PSModuleInfo psModuleInfo)
    {
        if (Runspace.DefaultRunspace is not { } runspace || !Hooks.TryGetValue(runspace, out var hook)) return;
        Hooks.Remove(runspace);
        hook.Uninstall(new SessionState().InvokeCommand);
    }

    /// <summary>Makes the project root of a new location known, if the location is inside a project (a folder with
    /// .xsarena/ above it); plain folders are not scanned.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static void OnLocationChanged(string newLocation)
    {
        try
        {
            var root = ProjectRoot.Resolve(null, newLocation);
            if (Directory.Exists(Path.Combine(root, ProjectRoot.StateFolderName))) JobRegistry.UseRoot(root);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // A location we cannot inspect simply adds no root.
        }
    }

    /// <summary>Our part of the session's LocationChangedAction, called before any handler that was set before.
    /// The action and its event arguments came with PowerShell 6, after the PowerShellStandard 5.1 surface the
    /// module compiles against, so both are reached by reflection.</summary>
    private sealed class LocationHook
    {
        private static readonly PropertyInfo? Action = typeof(CommandInvocationIntrinsics).GetProperty("LocationChangedAction");
        private static readonly MethodInfo Handler =
            typeof(LocationHook).GetMethod(nameof(OnLocationChanged), BindingFlags.Instance | BindingFlags.NonPublic)!;
        private static PropertyInfo? _newPath;

        private readonly Delegate? _previous;
        private readonly Delegate _own;
        private readonly Delegate _installed;
        private volatile bool _removed;

        private LocationHook(Type actionType, Delegate? previous)
        {
            _previous = previous;
            _own = Delegate.CreateDelegate(actionType, this, Handler);
            _installed = Delegate.Combine(_own, previous)!;
        }

        public static void Install(CommandInvocationIntrinsics invoke, ConditionalWeakTable<Runspace, LocationHook> hooks, Runspace runspace)
        {
            if (Action is null) return;
            var current = (Delegate?)Action.GetValue(invoke);
            // Imported again without Remove-Module in between: the hook is already there, do not chain it twice.
            if (hooks.TryGetValue(runspace, out var existing) && existing.IsIn(current)) return;
            var hook = new LocationHook(Action.PropertyType, current);
            hooks.AddOrUpdate(runspace, hook);
            Action.SetValue(invoke, hook._installed);
        }

        /// <summary>Puts the previous handler back. A handler someone chained on top of ours since stays; ours then
        /// only leaves the list.</summary>
        public void Uninstall(CommandInvocationIntrinsics invoke)
        {
            _removed = true;
            if (Action is null) return;
            var current = (Delegate?)Action.GetValue(invoke);
            if (ReferenceEquals(current, _installed)) Action.SetValue(invoke, _previous);
            else if (IsIn(current)) Action.SetValue(invoke, Delegate.Remove(current, _own));
        }

        private bool IsIn(Delegate? action) => action is not null && Array.IndexOf(action.GetInvocationList(), _own) >= 0;

        // Bound to EventHandler<LocationChangedEventArgs>: a delegate may take a less derived argument type.
        private void OnLocationChanged(object? sender, EventArgs e)
        {
            if (_removed) return;
            _newPath ??= e.GetType().GetProperty("NewPath");
            if (_newPath?.GetValue(e) is PathInfo path && string.Equals(path.Provider?.Name, "FileSystem", StringComparison.OrdinalIgnoreCase))
                ModuleState.OnLocationChanged(path.ProviderPath);
        }
    }
}

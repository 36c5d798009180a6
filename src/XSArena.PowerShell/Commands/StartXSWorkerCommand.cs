using System.Management.Automation;
using XSArena.PowerShell.Jobs;

namespace XSArena.PowerShell.Commands;

/// <summary>Starts a background pwsh that runs the PENDING jobs of a project root nobody runs (queued, copied, or
/// left by a process that ended) and exits when none are left. It outlives this session.</summary>
[Cmdlet(VerbsLifecycle.Start, "XSWorker", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(DetachedRun))]
public sealed class StartXSWorkerCommand : XSCmdletBase
{
    /// <summary>The project root to drain (default: the root of the current location).</summary>
    [Parameter(Position = 0)]
    public string? Root { get; set; }

    /// <summary>The loop the worker runs: take every PENDING job no process waits on, run them, repeat until none.</summary>
    internal const string DrainScript =
        "while ($true) { " +
        "$mine = @(Get-XSJob -State PENDING | Resume-XSJob -PassThru -SkipPreflight -ErrorAction Continue | Where-Object IsOwnedHere); " +
        "if ($mine.Count -eq 0) { break }; " +
        "$mine | Wait-Job -Force | Out-Null; " +
        "$mine | ForEach-Object { '{0:u} {1} {2} {3}' -f [DateTime]::UtcNow, $_.JobId, $_.State, $_.ChunksDone } }";

    protected override void ProcessRecord()
    {
        var root = Root is null ? RootResolver.Resolve(this) : GetUnresolvedProviderPathFromPSPath(Root);
        if (!Directory.Exists(root))
            ThrowTerminatingError(ErrorHelper.RootNotFound($"-Root '{root}' is not a folder; the worker runs the jobs of an existing project.", root));
        if (!ShouldProcess(root, "Start a background worker for the PENDING jobs")) return;
        var log = Path.Combine(root, Core.Store.ProjectRoot.StateFolderName, "workers", $"worker-{DateTime.UtcNow:yyyyMMddHHmmss}-{Guid.NewGuid():N}.log");
        JobRegistry.UseRoot(root);
        WriteObject(DetachedProcess.Start(this, root, DrainScript, log, "worker"));
    }
}

using System.Diagnostics;
using System.Management.Automation;

namespace XSArena.PowerShell.Jobs;

/// <summary>A background pwsh that outlives the session that started it: its own session (setsid, so closing the
/// terminal sends it no SIGHUP), no input, output appended to a log file.</summary>
public sealed record DetachedRun(int ProcessId, string Root, string LogPath, string Purpose);

internal static class DetachedProcess
{
    private const string ScriptVariable = "XSARENA_DETACHED_SCRIPT";

    /// <summary>Starts <paramref name="script"/> in a new pwsh with this module imported, in <paramref name="root"/>.</summary>
    public static DetachedRun Start(PSCmdlet cmdlet, string root, string script, string logPath, string purpose)
    {
        var manifest = Path.Combine(cmdlet.MyInvocation.MyCommand.Module.ModuleBase, "XSArena.psd1");
        var pshome = (string)cmdlet.SessionState.PSVariable.GetValue("PSHOME");
        var host = Environment.ProcessPath ?? "dotnet";
        var viaDotnet = Path.GetFileNameWithoutExtension(host) == "dotnet";
        var full = $"$ErrorActionPreference = 'Stop'; Import-Module {Quote(manifest)}; Set-Location -LiteralPath {Quote(root)}; {script}";

        // sh only redirects and execs; the script travels in the environment, so nothing needs shell quoting.
        const string launcher = "log=\"$1\"; shift; if command -v setsid >/dev/null 2>&1; then exec setsid \"$@\" >>\"$log\" 2>&1 </dev/null; else exec \"$@\" >>\"$log\" 2>&1 </dev/null; fi";
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = root };
        foreach (var arg in new[] { "-c", launcher, "xsarena-detached", logPath, host }) start.ArgumentList.Add(arg);
        if (viaDotnet) start.ArgumentList.Add(Path.Combine(pshome, "pwsh.dll"));
        foreach (var arg in new[] { "-NoProfile", "-NonInteractive", "-Command", $"& ([scriptblock]::Create($env:{ScriptVariable}))" })
            start.ArgumentList.Add(arg);
        start.Environment[ScriptVariable] = full;
        Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("The background pwsh did not start.");
        return new DetachedRun(process.Id, root, logPath, purpose);
    }

    public static string Quote(string text) => "'" + text.Replace("'", "''") + "'";
}

/// <summary>The background runs the cmdlets start.</summary>
internal static class DetachedRuns
{
    public const string LogFileName = "detached.log";

    /// <summary>A background pwsh that resumes (or starts, for a PENDING job) one job and stays until it ends or pauses.
    /// It resumes the job only if its job.json is as it was handed over: a stop applied while the process was still
    /// starting (or any other change) must not be undone by a resume nobody asked for any more.</summary>
    public static DetachedRun Resume(PSCmdlet cmdlet, string root, Guid id, string jobFolder, bool force, bool skipPreflight)
    {
        var flags = (force ? " -Force" : "") + (skipPreflight ? " -SkipPreflight" : "");
        var handedOver = Core.Store.JobFileStamp.Of(jobFolder);
        var script =
            $"$jobFile = Get-Item -LiteralPath {DetachedProcess.Quote(Path.Combine(jobFolder, Core.Store.JobFile.FileName))}; " +
            $"if ($jobFile.LastWriteTimeUtc.Ticks -ne {handedOver.WriteTimeUtc.Ticks} -or $jobFile.Length -ne {handedOver.Length}) {{ " +
            $"'{{0:u}} {id} changed after it was handed to this process (stopped, say); not resumed.' -f [DateTime]::UtcNow; return }}; " +
            $"Resume-XSJob -InstanceId '{id}'{flags}; " +
            $"Get-XSJob -InstanceId '{id}' | Where-Object IsOwnedHere | Wait-Job -Force | Out-Null; " +
            $"Get-XSJob -InstanceId '{id}' | ForEach-Object {{ '{{0:u}} {{1}} {{2}} {{3}}' -f [DateTime]::UtcNow, $_.JobId, $_.State, $_.ChunksDone }}";
        return DetachedProcess.Start(cmdlet, root, script, Path.Combine(jobFolder, LogFileName), "job " + id);
    }

    /// <summary>Waits until the background pwsh of <paramref name="run"/> has taken the job: its job.json no longer
    /// says <paramref name="before"/>. False when the process ended, or the time ran out, before that.</summary>
    public static bool WaitUntilTaken(DetachedRun run, string jobFolder, Core.Jobs.JobState before, TimeSpan timeout, CancellationToken cancel)
    {
        bool Taken()
        {
            try { return Core.Store.JobFile.ReadState(jobFolder) != before; }
            catch (Core.Store.JobStoreException) { return false; }
        }
        var clock = Stopwatch.StartNew();
        while (!Taken())
        {
            if (clock.Elapsed > timeout || !IsRunning(run.ProcessId)) return Taken();
            if (cancel.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(50))) return false;
        }
        return true;
    }

    private static bool IsRunning(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException) { return false; }
    }
}

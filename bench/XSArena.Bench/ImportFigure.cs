using System.Globalization;

namespace XSArena.Bench;

/// <summary>Figure 7: <c>Measure-Command { Import-Module XSArena }</c> against the same for Microsoft.PowerShell.ThreadJob
/// (the binary job module that ships with pwsh), each in fresh pwsh processes; only the import is timed.</summary>
public static class ImportFigure
{
    private const string Baseline = "Microsoft.PowerShell.ThreadJob";
    private const string Module = "XSArena";
    private const string TimePrefix = "import-ms:";
    private const string ModulePrefix = "module:";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public static Figure Run(string scratch, string repoRoot, int runs)
    {
        var folder = Directory.CreateDirectory(Path.Combine(scratch, "import")).FullName;
        var script = PwshProcess.WriteScript(folder, "import.ps1", """
            param([string] $Name)
            $ErrorActionPreference = 'Stop'
            $milliseconds = (Measure-Command { Import-Module $Name }).TotalMilliseconds
            $module = Get-Module $Name
            'import-ms:' + $milliseconds.ToString([cultureinfo]::InvariantCulture)
            'module:' + $module.Version + ' ' + $module.ModuleBase
            """);

        // Both are imported by name, as a user would: the built module's folder goes first on PSModulePath, where
        // an installed module would sit in the user's own module folder.
        var moduleBase = Path.GetDirectoryName(PwshProcess.ModuleManifest(repoRoot))!;
        var inherited = Environment.GetEnvironmentVariable("PSModulePath");
        var environment = new Dictionary<string, string>
        {
            ["PSModulePath"] = string.IsNullOrEmpty(inherited) ? Path.GetDirectoryName(moduleBase)! : Path.GetDirectoryName(moduleBase) + Path.PathSeparator + inherited,
        };

        // A first pair, not counted, reads the files into the OS cache; then the two alternate, each first in turn.
        Import(Module);
        Import(Baseline);
        var moduleTimes = new List<double>();
        var baselineTimes = new List<double>();
        var baselineVersion = "";
        for (var run = 0; run < runs; run++)
        {
            var order = run % 2 == 0 ? new[] { Module, Baseline } : [Baseline, Module];
            foreach (var name in order)
            {
                var (ms, version, loadedFrom) = Import(name);
                if (name == Module)
                {
                    if (!string.Equals(Path.GetFullPath(loadedFrom), Path.GetFullPath(moduleBase), StringComparison.Ordinal))
                        throw new InvalidOperationException($"import: XSArena was loaded from {loadedFrom}, not from the build output.");
                    moduleTimes.Add(ms);
                }
                else
                {
                    baselineTimes.Add(ms);
                    baselineVersion = version;
                }
            }
        }

        var moduleMedian = Timing.Median(moduleTimes);
        var baselineMedian = Timing.Median(baselineTimes);
        var ratio = moduleMedian / baselineMedian;
        var figure = new Figure("7", "import", $"{moduleMedian:0.0} ms", $"{Baseline} {baselineMedian:0.0} ms", ratio, "<= 1.5x", ratio <= 1.5);
        figure.Notes.Add($"median of {runs} fresh pwsh processes each, alternating (one uncounted pair first); only `Measure-Command {{ Import-Module <name> }}` is timed, not the process start.");
        figure.Notes.Add($"both imported by name; {Baseline} {baselineVersion} ships with the pinned pwsh; XSArena from the build output, first on PSModulePath.");
        figure.Notes.Add("XSArena's import loads its dll only; its type and format data load when the session first meets an XSArena job (its first XSArena cmdlet or Get-Job), so that first command pays for them instead (ThreadJob has none).");
        figure.Notes.Add($"XSArena runs: {string.Join(", ", moduleTimes.Select(t => t.ToString("0", CultureInfo.InvariantCulture)))} ms; "
            + $"{Baseline}: {string.Join(", ", baselineTimes.Select(t => t.ToString("0", CultureInfo.InvariantCulture)))} ms.");
        return figure;

        (double Ms, string Version, string LoadedFrom) Import(string name)
        {
            var lines = PwshProcess.Run(repoRoot, script, Patience, environment, folder, name);
            var time = lines.FirstOrDefault(l => l.StartsWith(TimePrefix, StringComparison.Ordinal))
                ?? throw new InvalidOperationException($"import: pwsh importing {name} printed no time.");
            var module = lines.First(l => l.StartsWith(ModulePrefix, StringComparison.Ordinal))[ModulePrefix.Length..].Split(' ', 2);
            return (double.Parse(time[TimePrefix.Length..], CultureInfo.InvariantCulture), module[0], module[1]);
        }
    }
}

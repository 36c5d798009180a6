using System.Collections.Concurrent;
using System.Diagnostics;

namespace XSArena.Bench;

/// <summary>A fresh pwsh (the repository's pinned local tool) running one script, with its output lines collected as
/// they arrive. The figures that need a real pwsh process (import, watch, memory, listing) start one of these.</summary>
public sealed class PwshProcess : IDisposable
{
    private readonly Process _process;
    private readonly BlockingCollection<string> _lines = new();
    private readonly ConcurrentQueue<string> _errors = new();

    private PwshProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data is null) _lines.CompleteAdding(); else _lines.Add(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _errors.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string ErrorText => string.Join(Environment.NewLine, _errors);

    /// <summary>The module manifest the build wrote.</summary>
    public static string ModuleManifest(string repoRoot) => Path.Combine(repoRoot, "out", "XSArena", "XSArena.psd1");

    /// <summary>Starts <c>dotnet pwsh -NoProfile -NonInteractive -File script</c> in <paramref name="workingDirectory"/>;
    /// the tool manifest is found from the repository root, so the script file is written there first.</summary>
    public static PwshProcess Start(string repoRoot, string scriptPath, IReadOnlyDictionary<string, string>? environment = null,
        string? workingDirectory = null, params string[] scriptArguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? repoRoot,
        };
        foreach (var argument in new[] { "tool", "run", "pwsh", "--", "-NoProfile", "-NonInteractive", "-File", scriptPath })
            info.ArgumentList.Add(argument);
        foreach (var argument in scriptArguments) info.ArgumentList.Add(argument);
        info.Environment["POWERSHELL_TELEMETRY_OPTOUT"] = "1";
        info.Environment["POWERSHELL_UPDATECHECK"] = "Off";
        info.Environment["NO_COLOR"] = "1";
        if (environment is not null)
            foreach (var (name, value) in environment) info.Environment[name] = value;
        return new PwshProcess(Process.Start(info) ?? throw new InvalidOperationException("pwsh did not start."));
    }

    /// <summary>The next output line, or null when the process closed its output or the timeout passed.</summary>
    public string? ReadLine(TimeSpan timeout) =>
        _lines.TryTake(out var line, timeout) ? line : null;

    /// <summary>Reads lines until one starts with <paramref name="prefix"/>; returns the rest of that line.</summary>
    public string WaitFor(string prefix, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            var line = ReadLine(timeout - deadline.Elapsed);
            if (line is null) break;
            if (line.StartsWith(prefix, StringComparison.Ordinal)) return line[prefix.Length..];
        }
        throw new InvalidOperationException($"pwsh did not print '{prefix}' within {timeout.TotalSeconds:0} s.{Describe()}");
    }

    public void WriteLine(string text)
    {
        _process.StandardInput.WriteLine(text);
        _process.StandardInput.Flush();
    }

    public bool WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout);

    /// <summary>Runs a script to its end and returns its output lines; throws with its error output if it fails.</summary>
    public static List<string> Run(string repoRoot, string scriptPath, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null, params string[] scriptArguments)
    {
        using var pwsh = Start(repoRoot, scriptPath, environment, workingDirectory, scriptArguments);
        if (!pwsh.WaitForExit(timeout)) throw new InvalidOperationException($"pwsh {Path.GetFileName(scriptPath)} ran longer than {timeout.TotalSeconds:0} s.{pwsh.Describe()}");
        pwsh._process.WaitForExit(); // drains the asynchronous output readers
        if (pwsh._process.ExitCode != 0)
            throw new InvalidOperationException($"pwsh {Path.GetFileName(scriptPath)} exited with {pwsh._process.ExitCode}.{pwsh.Describe()}");
        return [.. pwsh._lines];
    }

    /// <summary>Writes a script into <paramref name="folder"/> and returns its path.</summary>
    public static string WriteScript(string folder, string name, string text)
    {
        var path = Path.Combine(Directory.CreateDirectory(folder).FullName, name);
        File.WriteAllText(path, text);
        return path;
    }

    private string Describe()
    {
        var errors = ErrorText;
        return errors.Length == 0 ? "" : $" Its errors: {errors}";
    }

    public void Dispose()
    {
        try { if (!_process.HasExited) { _process.Kill(entireProcessTree: true); _process.WaitForExit(5000); } }
        catch (InvalidOperationException) { }
        _process.Dispose();
        _lines.Dispose();
    }
}

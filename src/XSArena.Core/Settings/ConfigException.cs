namespace XSArena.Core.Settings;

/// <summary>A configuration file that cannot be used. Names the file, the line (1-based, 0 when unknown) and the
/// key path (e.g. <c>scheduler.concurrency.total</c>, empty for the whole file) so the user can fix it.</summary>
public sealed class ConfigException : Exception
{
    public ConfigException(string file, int line, string key, string problem, Exception? inner = null)
        : base(Describe(file, line, key, problem), inner)
    {
        File = file;
        Line = line;
        Key = key;
        Problem = problem;
    }

    public string File { get; }
    public int Line { get; }
    public string Key { get; }
    /// <summary>The message without the location.</summary>
    public string Problem { get; }

    private static string Describe(string file, int line, string key, string problem)
    {
        var where = line > 0 ? $"{file}:{line}" : file;
        return string.IsNullOrEmpty(key) ? $"{where}: {problem}" : $"{where}: {key}: {problem}";
    }
}

namespace XSArena.Bench;

/// <summary>One measured figure: its value, the baseline measured in the same run, and whether the target holds.</summary>
public sealed record Figure(string Id, string Name, string Value, string Baseline, double Ratio, string Target, bool Met)
{
    public List<string> Notes { get; } = [];

    public string ConsoleLine => $"{Name}: {Value} ({Ratio:0.00}x vs baseline {Baseline})";
}

/// <summary>A figure the benchmark does not measure yet.</summary>
public sealed record PendingFigure(string Id, string Name, string Target);

namespace XSArena.Core.Book;

/// <summary>Changes to one length preset from configuration; null keeps the built-in number.</summary>
public sealed record LengthOverride(int? MinChars, int? Passes);

/// <summary>Preset numbers changed by configuration (<c>presets:</c> in config.yml). Names are the built-in
/// preset names; new presets cannot be invented here.</summary>
public sealed record PresetOverrides
{
    public static PresetOverrides None { get; } = new();

    public IReadOnlyDictionary<string, LengthOverride> Lengths { get; init; } =
        new Dictionary<string, LengthOverride>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Span name to number of chunks.</summary>
    public IReadOnlyDictionary<string, int> Spans { get; init; } =
        new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
}

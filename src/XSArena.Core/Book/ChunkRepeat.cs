namespace XSArena.Core.Book;

/// <summary>Detects a new chunk that largely repeats the previous one. Word shingles rather than character
/// n-grams: two different passages of ordinary prose share many character 4-grams (common syllables) but almost no
/// runs of three words, while a repeat shares most of them.</summary>
public static class ChunkRepeat
{
    public const double Threshold = 0.5;
    private const int ShingleWords = 3;

    /// <summary>Share of the candidate's word 3-grams that also occur in the previous chunk (0..1).</summary>
    public static double Overlap(string candidate, string previous)
    {
        var mine = Shingles(candidate);
        if (mine.Count == 0) return 0;
        var theirs = Shingles(previous);
        var shared = mine.Count(theirs.Contains);
        return (double)shared / mine.Count;
    }

    private static HashSet<string> Shingles(string text)
    {
        var words = text.ToLowerInvariant()
            .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            .Select(word => word.Trim('.', ',', ';', ':', '!', '?', '"', '\'', '(', ')', '*', '#'))
            .Where(word => word.Length > 0)
            .ToArray();
        var set = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i + ShingleWords <= words.Length; i++) set.Add(string.Join(' ', words, i, ShingleWords));
        return set;
    }
}

namespace XSArena.Core.Tests.Backends;

/// <summary>The two 4-gram Jaccard measures a repetition guard may use (character 4-grams with whitespace
/// collapsed, as upstream does, and word 4-grams), so the offline backend is checked against both.</summary>
internal static class Similarity
{
    public static double CharJaccard(string a, string b) => Jaccard(CharGrams(a), CharGrams(b));

    public static double WordJaccard(string a, string b) => Jaccard(WordGrams(a), WordGrams(b));

    public static string Tail(string text, int chars) => text.Length <= chars ? text : text[^chars..];

    /// <summary>Drops a trailing NEXT marker line, as the runner does before comparing.</summary>
    public static string WithoutNext(string text)
    {
        var i = text.LastIndexOf("\nNEXT: [", StringComparison.Ordinal);
        return i < 0 ? text : text[..i].TrimEnd();
    }

    private static HashSet<string> CharGrams(string text)
    {
        var flat = string.Join(' ', text.ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        var grams = new HashSet<string>();
        for (var i = 0; i + 4 <= flat.Length; i++) grams.Add(flat.Substring(i, 4));
        return grams;
    }

    private static HashSet<string> WordGrams(string text)
    {
        var words = text.ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var grams = new HashSet<string>();
        for (var i = 0; i + 4 <= words.Length; i++) grams.Add(string.Join(' ', words, i, 4));
        return grams;
    }

    private static double Jaccard(HashSet<string> a, HashSet<string> b)
    {
        if (a.Count == 0 && b.Count == 0) return 0;
        var intersection = a.Count(b.Contains);
        return intersection / (double)(a.Count + b.Count - intersection);
    }
}

using System.Text;

namespace XSArena.Core.Book;

/// <summary>Detects text that repeats what was just written, by character 4-gram overlap.</summary>
public static class Repetition
{
    public const int GramLength = 4;

    /// <summary>Threshold used when settings do not say otherwise.</summary>
    public const double DefaultThreshold = 0.35;

    /// <summary>Jaccard similarity (0..1) of the character 4-gram sets of both texts after lower-casing and
    /// collapsing whitespace. Texts with no characters compare as 0: nothing is not a repeat of anything.</summary>
    public static double Similarity(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return Jaccard(Grams(Normalize(a)), Grams(Normalize(b)));
    }

    /// <summary>True when <paramref name="candidate"/> is more similar than <paramref name="threshold"/> to
    /// <paramref name="recentText"/>.</summary>
    /// <remarks>Both sides are cut to the same length first (the candidate's beginning against the recent text's
    /// end): comparing a long extension with a short tail would let the size difference alone keep the score low.</remarks>
    public static bool IsRepeat(string candidate, string recentText, double threshold = DefaultThreshold)
    {
        if (double.IsNaN(threshold) || threshold < 0 || threshold > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "Threshold must be between 0 and 1.");
        }

        return RepeatScore(candidate, recentText) > threshold;
    }

    /// <summary>The score <see cref="IsRepeat"/> compares with its threshold: the Jaccard similarity of the candidate's
    /// beginning and the recent text's end, cut to the same length (0 when either is empty).</summary>
    public static double RepeatScore(string candidate, string recentText)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(recentText);
        var head = Normalize(candidate);
        var tail = Normalize(recentText);
        var length = Math.Min(head.Length, tail.Length);
        return length == 0 ? 0 : Jaccard(Grams(head[..length]), Grams(tail[^length..]));
    }

    internal static string Normalize(string text)
    {
        var builder = new StringBuilder(text.Length);
        var pendingSpace = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = builder.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }

            builder.Append(char.ToLowerInvariant(c));
        }

        return builder.ToString();
    }

    private static HashSet<string> Grams(string text)
    {
        var grams = new HashSet<string>(StringComparer.Ordinal);
        if (text.Length is > 0 and < GramLength)
        {
            // A text shorter than one gram is its own single gram, so short identical texts still match.
            grams.Add(text);
            return grams;
        }

        for (var i = 0; i + GramLength <= text.Length; i++)
        {
            grams.Add(text.Substring(i, GramLength));
        }

        return grams;
    }

    private static double Jaccard(HashSet<string> a, HashSet<string> b)
    {
        if (a.Count == 0 || b.Count == 0)
        {
            return 0;
        }

        var (small, large) = a.Count <= b.Count ? (a, b) : (b, a);
        var shared = small.Count(large.Contains);
        return (double)shared / (a.Count + b.Count - shared);
    }
}

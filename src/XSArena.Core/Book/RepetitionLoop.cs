using System.Text;

namespace XSArena.Core.Book;

/// <summary>A degenerate loop inside one reply: the model writes the same sentence or line over and over until it
/// runs out of tokens (reference F13). The text is cut at the loop's second round, keeping the first.</summary>
public static class RepetitionLoop
{
    /// <summary>Sentences shorter than this (normalized) are ignored: headings and short phrases recur legitimately.</summary>
    public const int MinSegmentChars = 20;

    /// <summary>How often one sentence must occur before the text can count as looping.</summary>
    public const int MinOccurrences = 3;

    /// <summary>Share of the text after the cut, by characters, that must be sentences seen before.</summary>
    public const double MinRepeatedShare = 0.6;

    /// <summary>The result of a detection: where the text was cut and which sentence repeated.</summary>
    public sealed record Loop(int CutAt, string Repeated, int Occurrences);

    /// <summary>The loop in <paramref name="text"/>, or null when there is none.</summary>
    public static Loop? Find(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var segments = Segments(text);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var firstSeenAt = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < segments.Count; i++)
        {
            var key = segments[i].Key;
            if (key.Length < MinSegmentChars) continue;
            counts[key] = counts.GetValueOrDefault(key) + 1;
            firstSeenAt.TryAdd(key, i);
        }

        // The earliest sentence that recurs often enough; the cut goes at its second occurrence.
        var candidates = counts.Where(pair => pair.Value >= MinOccurrences).Select(pair => pair.Key).ToHashSet(StringComparer.Ordinal);
        if (candidates.Count == 0) return null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < segments.Count; i++)
        {
            var key = segments[i].Key;
            if (key.Length < MinSegmentChars) continue;
            if (!seen.Add(key) && candidates.Contains(key))
            {
                if (RepeatedShare(segments, i, firstSeenAt) >= MinRepeatedShare)
                    return new Loop(segments[i].Start, segments[i].Text.Trim(), counts[key]);
            }
        }
        return null;
    }

    /// <summary>The text with its loop cut off (trailing whitespace trimmed), or the text unchanged.</summary>
    public static string Trim(string text, out Loop? loop)
    {
        loop = Find(text);
        return loop is null ? text : text[..loop.CutAt].TrimEnd();
    }

    private static double RepeatedShare(List<Segment> segments, int from, Dictionary<string, int> firstSeenAt)
    {
        long repeated = 0, total = 0;
        for (var i = from; i < segments.Count; i++)
        {
            var length = segments[i].Key.Length;
            total += length;
            if (length >= MinSegmentChars && firstSeenAt[segments[i].Key] < i) repeated += length;
        }
        return total == 0 ? 0 : repeated / (double)total;
    }

    private sealed record Segment(int Start, string Text, string Key);

    /// <summary>Sentences and lines with their start offsets; the key is lower-cased with whitespace collapsed.</summary>
    private static List<Segment> Segments(string text)
    {
        var result = new List<Segment>();
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var end = c == '\n' || ((c is '.' or '!' or '?') && (i + 1 == text.Length || char.IsWhiteSpace(text[i + 1])));
            if (!end) continue;
            Add(result, text, start, i + 1);
            start = i + 1;
        }
        if (start < text.Length) Add(result, text, start, text.Length);
        return result;
    }

    private static void Add(List<Segment> result, string text, int start, int end)
    {
        // A segment starts at its first non-blank character, so cutting there keeps the previous sentence whole.
        while (start < end && char.IsWhiteSpace(text[start])) start++;
        if (start == end) return;
        var piece = text[start..end];
        result.Add(new Segment(start, piece, Normalize(piece)));
    }

    private static string Normalize(string piece)
    {
        var builder = new StringBuilder(piece.Length);
        var space = false;
        foreach (var c in piece)
        {
            if (char.IsWhiteSpace(c))
            {
                space = builder.Length > 0;
                continue;
            }
            if (space) builder.Append(' ');
            space = false;
            builder.Append(char.ToLowerInvariant(c));
        }
        return builder.ToString();
    }
}

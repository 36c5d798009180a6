using System.Globalization;
using System.Text;

namespace XSArena.Core.Book;

/// <summary>Turns a subject into a file name that is safe on every platform and cannot leave its folder.</summary>
public static class OutputName
{
    public const string Suffix = ".final.md";
    public const string Fallback = "book";
    public const string BooksFolder = "books";

    /// <summary>Longest stem, in UTF-16 code units, before <see cref="Suffix"/>.</summary>
    public const int MaxStemLength = 120;

    private const string Forbidden = "<>:\"/\\|?*";

    // Windows treats these as devices whatever the extension (CON.txt is still CON).
    private static readonly HashSet<string> ReservedStems = new(StringComparer.OrdinalIgnoreCase)
    {
        "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
        "COM0", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9", "COM\u00B9", "COM\u00B2", "COM\u00B3",
        "LPT0", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9", "LPT\u00B9", "LPT\u00B2", "LPT\u00B3",
    };

    /// <summary>Safe <c>&lt;name&gt;.final.md</c> for a subject: spaces become underscores, separators and reserved
    /// characters are replaced, dots and underscores are trimmed from the ends, device names are prefixed,
    /// and the stem is bounded without splitting a character. An empty result becomes <c>book.final.md</c>.</summary>
    public static string FromSubject(string subject)
    {
        ArgumentNullException.ThrowIfNull(subject);

        var stem = Collapse(Replace(subject));
        stem = Bound(stem).Trim('.', '_', ' ');
        if (stem.Length == 0)
        {
            stem = Fallback;
        }

        if (ReservedStems.Contains(stem.Split('.')[0]))
        {
            stem = "_" + stem;
        }

        return stem + Suffix;
    }

    /// <summary>Where a book goes by default, relative to the root: <c>books/&lt;name&gt;</c>.</summary>
    public static string DefaultRelativePath(string subject) => BooksFolder + "/" + FromSubject(subject);

    private static string Replace(string subject)
    {
        var builder = new StringBuilder(subject.Length);
        for (var i = 0; i < subject.Length; i++)
        {
            var c = subject[i];
            if (char.IsHighSurrogate(c) && i + 1 < subject.Length && char.IsLowSurrogate(subject[i + 1]))
            {
                builder.Append(c).Append(subject[++i]);
            }
            else if (char.IsSurrogate(c) || char.IsWhiteSpace(c) || char.IsControl(c) || Forbidden.Contains(c) || IsBidiControl(c))
            {
                builder.Append('_');
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    // Runs of dots collapse to one so no ".." survives; runs of underscores collapse for readability.
    private static string Collapse(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if ((c == '.' || c == '_') && builder.Length > 0 && builder[^1] == c)
            {
                continue;
            }

            builder.Append(c);
        }

        return builder.ToString().Trim('.', '_');
    }

    // Cuts on a text-element boundary so no surrogate pair or emoji sequence is split.
    private static string Bound(string stem)
    {
        if (stem.Length <= MaxStemLength)
        {
            return stem;
        }

        var cut = 0;
        var enumerator = StringInfo.GetTextElementEnumerator(stem);
        while (enumerator.MoveNext())
        {
            var next = enumerator.ElementIndex + ((string)enumerator.Current).Length;
            if (next > MaxStemLength)
            {
                break;
            }

            cut = next;
        }

        if (cut == 0)
        {
            // One enormous text element (a base with hundreds of combining marks): fall back to code points.
            cut = char.IsHighSurrogate(stem[MaxStemLength - 1]) ? MaxStemLength - 1 : MaxStemLength;
        }

        return stem[..cut];
    }

    private static bool IsBidiControl(char c) =>
        c is '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');
}

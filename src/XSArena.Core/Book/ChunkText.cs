using System.Text.RegularExpressions;

namespace XSArena.Core.Book;

/// <summary>How pieces of text are put together: extensions onto their chunk, chunks into the book.</summary>
public static partial class ChunkText
{
    /// <summary>Written between two chunks in the book file.</summary>
    public const string Separator = "\n\n";

    // Markdown lines that can only begin a block: headings, list items, quotes, fences, tables, rules.
    [GeneratedRegex(@"^(?:#{1,6}\s|[-*+]\s|\d{1,3}[.)]\s|>|```|~~~|\||-{3,}\s*$|\*{3,}\s*$)")]
    private static partial Regex BlockStart();

    [GeneratedRegex(@"^\s*(?:[-*+]\s|\d{1,3}[.)]\s)")]
    private static partial Regex ListItem();

    /// <summary>Appends an extension to its chunk with the whitespace the text needs: a blank line when the
    /// extension starts a new paragraph or block, a line break inside an open code fence or between list items,
    /// and a single space when it continues the paragraph. The two are never glued together.</summary>
    public static string JoinExtension(string chunk, string extension)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        ArgumentNullException.ThrowIfNull(extension);

        var head = chunk.TrimEnd();
        var tail = extension.TrimStart();
        var leading = extension[..(extension.Length - tail.Length)];
        tail = tail.TrimEnd();

        if (tail.Length == 0)
        {
            return head;
        }

        if (head.Length == 0)
        {
            return tail;
        }

        return head + ChooseSeparator(head, leading, tail) + tail;
    }

    private static string ChooseSeparator(string head, string leadingWhitespace, string tail)
    {
        var lastLine = head[(head.LastIndexOf('\n') + 1)..];
        var firstLine = tail.Split('\n', 2)[0];

        if (InsideOpenFence(head))
        {
            return "\n";
        }

        if (ListItem().IsMatch(lastLine) && ListItem().IsMatch(firstLine))
        {
            return "\n";
        }

        var startsNewParagraph = leadingWhitespace.Contains('\n') || BlockStart().IsMatch(firstLine);
        var headEndsBlock = lastLine.TrimStart().StartsWith('#');
        return startsNewParagraph || headEndsBlock ? "\n\n" : " ";
    }

    private static bool InsideOpenFence(string text)
    {
        var open = false;
        foreach (var line in text.Split('\n'))
        {
            var trimmed = line.TrimStart();
            if (trimmed.StartsWith("```", StringComparison.Ordinal) || trimmed.StartsWith("~~~", StringComparison.Ordinal))
            {
                open = !open;
            }
        }

        return open;
    }
}

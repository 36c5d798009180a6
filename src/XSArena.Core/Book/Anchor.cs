using System.Text;

namespace XSArena.Core.Book;

/// <summary>The end of the text written so far, which continuation prompts quote so the model resumes in place.</summary>
public static class Anchor
{
    public const int ChunkAnchorChars = 300;
    public const int ExtensionAnchorChars = 150;

    /// <summary>How close to the end of the window a sentence end must be for the partial sentence after it to be dropped.</summary>
    public const int SentenceCutWindow = 120;

    private const string ClosingPunctuation = "\"')]\u201D\u2019\u00BB*_";

    /// <summary>Takes the last <paramref name="maxChars"/> characters and, when a sentence ends within the final
    /// 120 of them, cuts just after that sentence end; the result is trimmed ("" for blank input).</summary>
    public static string FromTail(string tail, int maxChars = ChunkAnchorChars)
    {
        ArgumentNullException.ThrowIfNull(tail);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxChars);

        var start = Math.Max(0, tail.Length - maxChars);
        if (start > 0 && char.IsLowSurrogate(tail[start]))
        {
            start++;
        }

        var window = tail[start..];
        var sentenceEnd = window.LastIndexOfAny(['.', '!', '?']);
        if (sentenceEnd >= 0 && sentenceEnd >= window.Length - SentenceCutWindow)
        {
            // Keep quotes or brackets that close the sentence: `."` reads better than a dangling quote.
            var cut = sentenceEnd + 1;
            while (cut < window.Length && ClosingPunctuation.Contains(window[cut]))
            {
                cut++;
            }

            window = window[..cut];
        }

        return window.Trim();
    }

    /// <summary>Reads at most the last <paramref name="bytes"/> bytes of a UTF-8 file without reading the rest,
    /// dropping a partial character at either edge. A missing file has an empty tail.</summary>
    public static string ReadTail(string path, int bytes = 4096)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytes);

        if (!File.Exists(path))
        {
            return string.Empty;
        }

        // The runner may be appending to the book while we read; share everything.
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var offset = Math.Max(0, stream.Length - bytes);
        stream.Seek(offset, SeekOrigin.Begin);

        var buffer = new byte[(int)(stream.Length - offset)];
        var read = 0;
        while (read < buffer.Length)
        {
            var n = stream.Read(buffer, read, buffer.Length - read);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        var span = buffer.AsSpan(0, read);
        if (offset == 0 && span.StartsWith(Encoding.UTF8.Preamble))
        {
            span = span[Encoding.UTF8.Preamble.Length..];
        }

        span = span[LeadingContinuationBytes(span, offset > 0)..];
        span = span[..(span.Length - TrailingIncompleteBytes(span))];
        return Encoding.UTF8.GetString(span);
    }

    private static int LeadingContinuationBytes(ReadOnlySpan<byte> span, bool startedMidFile)
    {
        if (!startedMidFile)
        {
            return 0;
        }

        var skip = 0;
        while (skip < span.Length && skip < 3 && IsContinuation(span[skip]))
        {
            skip++;
        }

        return skip;
    }

    // A writer may be mid-character at the end of the file; leave that character for the next read.
    private static int TrailingIncompleteBytes(ReadOnlySpan<byte> span)
    {
        for (var back = 1; back <= Math.Min(4, span.Length); back++)
        {
            var b = span[^back];
            if (IsContinuation(b))
            {
                continue;
            }

            var needed = b switch
            {
                < 0x80 => 1,
                >= 0xF0 => 4,
                >= 0xE0 => 3,
                >= 0xC0 => 2,
                _ => 1,
            };
            return needed > back ? back : 0;
        }

        return 0;
    }

    private static bool IsContinuation(byte b) => (b & 0xC0) == 0x80;
}

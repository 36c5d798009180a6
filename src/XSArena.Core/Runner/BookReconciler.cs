using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using XSArena.Core.Jobs;

namespace XSArena.Core.Runner;

/// <summary>What <see cref="BookReconciler.Reconcile"/> did. <paramref name="ChunksKept"/> is the index of the last
/// chunk the book still holds (resume continues with the next); <paramref name="BookLength"/> is the book's byte
/// length afterwards; <paramref name="MovedAsidePath"/> names the file that received removed text, if any.</summary>
public sealed record ReconcileResult(int ChunksKept, long BookLength, long BytesCut, string? MovedAsidePath, string Summary);

/// <summary>Brings a book back in line with its job's log before a resume writes to it. Text after the last recorded
/// chunk (a crash between writing and logging) is cut back; a book that is shorter or whose tail differs stops the
/// resume unless forced. Removed text is never destroyed: it is copied or moved beside the book first. Only the tail
/// windows are read, except for upstream jobs, whose book is streamed once to count characters.</summary>
public static class BookReconciler
{
    private const int TailBytes = 4096;
    private const int SeparatorCharacters = 2;

    public static ReconcileResult Reconcile(
        string bookPath, IReadOnlyList<RecordedChunk> chain, bool isUpstream, bool force, IClock? clock = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(bookPath);
        ArgumentNullException.ThrowIfNull(chain);
        var stamp = (clock ?? SystemClock.Instance).UtcNow.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);

        if (chain.Count == 0) return ReconcileEmpty(bookPath, stamp);
        if (isUpstream || chain[^1].OutLength is null) return ReconcileByCharacters(bookPath, chain, force, stamp);
        return ReconcileByHash(bookPath, chain, force, stamp);
    }

    /// <summary>No chunk recorded: the book should be empty. Text in it was written before the first log line.</summary>
    private static ReconcileResult ReconcileEmpty(string bookPath, string stamp)
    {
        if (!File.Exists(bookPath)) return new ReconcileResult(0, 0, 0, null, "No chunk recorded and no book yet; starting from chunk 1.");
        using var stream = OpenBook(bookPath);
        var length = stream.Length;
        if (length == 0) return new ReconcileResult(0, 0, 0, null, "No chunk recorded and the book is empty; starting from chunk 1.");
        var aside = CutTo(stream, 0, bookPath, stamp);
        return new ReconcileResult(0, 0, length, aside,
            $"No chunk recorded, but the book held {length} bytes; cut to empty and saved the text to '{aside}'.");
    }

    private static ReconcileResult ReconcileByHash(string bookPath, IReadOnlyList<RecordedChunk> chain, bool force, string stamp)
    {
        var last = chain[^1];
        var recorded = last.OutLength!.Value;
        if (!File.Exists(bookPath))
        {
            if (!force) throw new BookMismatchException(bookPath, recorded, null, BookMismatchKind.Missing, last.Index);
            return new ReconcileResult(0, 0, 0, null, $"The book '{bookPath}' is missing; starting again from chunk 1.");
        }

        var fallBackToCharacters = -1;
        using (var stream = OpenBook(bookPath))
        {
            var length = stream.Length;
            if (length >= recorded && EndMatches(stream, last))
            {
                if (length == recorded)
                    return new ReconcileResult(last.Index, length, 0, null, $"The book matches the log after chunk {last.Index} ({length} bytes).");
                var aside = CutTo(stream, recorded, bookPath, stamp);
                return new ReconcileResult(last.Index, recorded, length - recorded, aside,
                    $"Cut {length - recorded} bytes written after chunk {last.Index} but not logged; saved them to '{aside}'.");
            }

            if (!force)
            {
                var kind = length < recorded ? BookMismatchKind.Shorter : BookMismatchKind.TailMismatch;
                throw new BookMismatchException(bookPath, recorded, length, kind, last.Index);
            }

            for (var i = chain.Count - 2; i >= 0; i--)
            {
                var chunk = chain[i];
                if (chunk.OutLength is not { } end)
                {
                    fallBackToCharacters = i;
                    break;
                }
                if (end > length || !EndMatches(stream, chunk)) continue;
                var aside = CutTo(stream, end, bookPath, stamp);
                return new ReconcileResult(chunk.Index, end, length - end, aside,
                    $"The book no longer matched the log after chunk {last.Index}; cut back to chunk {chunk.Index} ({end} bytes) "
                    + $"and saved the {length - end} bytes removed to '{aside}'.");
            }
        }

        // The earlier chunks were written by the upstream tool: only their characters can be checked.
        if (fallBackToCharacters >= 0)
            return ReconcileByCharacters(bookPath, chain.Take(fallBackToCharacters + 1).ToList(), force: true, stamp);

        var moved = MoveAside(bookPath, stamp);
        return new ReconcileResult(0, 0, 0, moved,
            $"No recorded chunk matches the book any more; moved it to '{moved}' and starting again from chunk 1.");
    }

    /// <summary>Upstream jobs record only character counts: chunk 1 as-is, each later chunk after a blank line.</summary>
    private static ReconcileResult ReconcileByCharacters(string bookPath, IReadOnlyList<RecordedChunk> chain, bool force, string stamp)
    {
        var ends = new long[chain.Count + 1];
        for (var k = 1; k <= chain.Count; k++)
            ends[k] = ends[k - 1] + Math.Max(0, chain[k - 1].Characters) + (k > 1 ? SeparatorCharacters : 0);
        var last = chain[^1];
        var recorded = ends[^1];

        if (!File.Exists(bookPath))
        {
            if (!force) throw new UpstreamJobNotReconcilableException(bookPath, recorded, null, last.Index);
            return new ReconcileResult(0, 0, 0, null, $"The book '{bookPath}' is missing; starting again from chunk 1.");
        }

        using (var stream = OpenBook(bookPath))
        {
            var length = stream.Length;
            var (characters, offsets) = CountCharacters(stream, ends);
            if (characters == recorded)
                return new ReconcileResult(last.Index, length, 0, null,
                    $"The book's {characters} characters match chunks 1-{last.Index} of the upstream log.");
            if (characters > recorded)
            {
                var end = offsets[^1];
                var aside = CutTo(stream, end, bookPath, stamp);
                return new ReconcileResult(last.Index, end, length - end, aside,
                    $"Cut {characters - recorded} characters written after chunk {last.Index} but not logged; saved them to '{aside}'.");
            }

            if (!force) throw new UpstreamJobNotReconcilableException(bookPath, recorded, characters, last.Index);

            var kept = Array.FindLastIndex(ends, e => e <= characters);
            if (kept > 0)
            {
                var end = offsets[kept];
                var aside = CutTo(stream, end, bookPath, stamp);
                var index = chain[kept - 1].Index;
                return new ReconcileResult(index, end, length - end, aside,
                    $"The book holds fewer characters than the upstream log records; kept chunks up to {index} ({end} bytes) "
                    + $"and saved the {length - end} bytes removed to '{aside}'.");
            }
            if (length == 0)
                return new ReconcileResult(0, 0, 0, null, "The book is empty; starting again from chunk 1.");
        }

        var moved = MoveAside(bookPath, stamp);
        return new ReconcileResult(0, 0, 0, moved,
            $"Not even chunk 1 of the upstream log fits the book; moved it to '{moved}' and starting again from chunk 1.");
    }

    private static FileStream OpenBook(string bookPath) =>
        new(bookPath, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);

    /// <summary>Whether the window of up to 4 KiB ending at the chunk's recorded end hashes to its recorded tail hash.</summary>
    private static bool EndMatches(FileStream stream, RecordedChunk chunk)
    {
        if (chunk.OutLength is not { } end || chunk.TailSha256 is not { } expected || end > stream.Length) return false;
        var count = (int)Math.Min(TailBytes, end);
        var window = new byte[count];
        stream.Seek(end - count, SeekOrigin.Begin);
        stream.ReadExactly(window);
        var actual = Convert.ToHexStringLower(SHA256.HashData(window));
        return string.Equals(actual, expected.Trim(), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Streams the book once, counting characters (Unicode scalar values, as upstream's <c>len()</c> does;
    /// an invalid UTF-8 sequence counts as one, as it decodes to one replacement character), and notes the byte offset
    /// at which each cumulative count in <paramref name="ends"/> (ascending) is reached; -1 where it is not.</summary>
    private static (long Characters, long[] Offsets) CountCharacters(FileStream stream, long[] ends)
    {
        var offsets = new long[ends.Length];
        Array.Fill(offsets, -1L);
        var next = 0;
        long characters = 0;
        long position = 0;

        void Note()
        {
            while (next < ends.Length && ends[next] == characters) offsets[next++] = position;
        }

        stream.Seek(0, SeekOrigin.Begin);
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            var have = 0;
            var atEnd = false;
            Note();
            while (!atEnd)
            {
                var read = stream.Read(buffer, have, buffer.Length - have);
                atEnd = read == 0;
                have += read;
                var start = 0;
                while (start < have)
                {
                    var status = Rune.DecodeFromUtf8(buffer.AsSpan(start, have - start), out _, out var consumed);
                    if (status == OperationStatus.NeedMoreData && !atEnd) break;
                    consumed = Math.Max(1, consumed);
                    if (status == OperationStatus.NeedMoreData) consumed = have - start;
                    start += consumed;
                    position += consumed;
                    characters++;
                    Note();
                }
                Buffer.BlockCopy(buffer, start, buffer, 0, have - start);
                have -= start;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return (characters, offsets);
    }

    /// <summary>Copies the bytes from <paramref name="keep"/> to the end into a new file beside the book, forces it to
    /// disk, then truncates the book and forces that too. Returns the copy's path.</summary>
    private static string CutTo(FileStream stream, long keep, string bookPath, string stamp)
    {
        var asidePath = CreateUnique(bookPath + ".cut-" + stamp, out var aside);
        using (aside)
        {
            stream.Seek(keep, SeekOrigin.Begin);
            stream.CopyTo(aside);
            aside.Flush(flushToDisk: true);
        }
        stream.SetLength(keep);
        stream.Flush(flushToDisk: true);
        return asidePath;
    }

    /// <summary>Renames a book to <c>&lt;book&gt;.replaced-&lt;UTC stamp&gt;</c> (never over another file); returns the new path.</summary>
    public static string MoveAside(string bookPath, IClock clock) =>
        MoveAside(bookPath, clock.UtcNow.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture));

    private static string MoveAside(string bookPath, string stamp)
    {
        var basePath = bookPath + ".replaced-" + stamp;
        for (var n = 1; ; n++)
        {
            var target = n == 1 ? basePath : $"{basePath}-{n}";
            if (File.Exists(target) || Directory.Exists(target)) continue;
            try
            {
                File.Move(bookPath, target, overwrite: false);
                return target;
            }
            catch (IOException) when (File.Exists(target))
            {
                // Another file took the name in the meantime: try the next one.
            }
        }
    }

    private static string CreateUnique(string basePath, out FileStream stream)
    {
        for (var n = 1; ; n++)
        {
            var target = n == 1 ? basePath : $"{basePath}-{n}";
            if (File.Exists(target) || Directory.Exists(target)) continue;
            try
            {
                stream = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None);
                return target;
            }
            catch (IOException) when (File.Exists(target))
            {
                // Created by someone else between the check and the open: try the next name.
            }
        }
    }
}

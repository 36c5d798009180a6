using System.Text;
using XSArena.Core.Book;
using XSArena.Core.Jobs;
using XSArena.Core.Runner;

namespace XSArena.Core.Tests.Runner;

public sealed class BookReconcilerTests : IDisposable
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);
    private static readonly FixedClock Clock = new(new DateTimeOffset(2026, 3, 1, 12, 34, 56, TimeSpan.Zero));
    private const string Stamp = "20260301123456";

    private readonly TempDirectory _dir = new();
    private readonly string _book;

    public BookReconcilerTests()
    {
        var folder = _dir.Combine("Bücher — 中文");
        Directory.CreateDirectory(folder);
        _book = Path.Combine(folder, "Café Chemistry.final.md");
    }

    public void Dispose() => _dir.Dispose();

    private sealed class FixedClock(DateTimeOffset now) : IClock
    {
        public DateTimeOffset UtcNow => now;
    }

    /// <summary>Appends a chunk exactly as BookRunner does and returns what its chunk_done would record.</summary>
    private RecordedChunk Append(int index, string text)
    {
        using var stream = new FileStream(_book, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        var separator = stream.Length > 0 ? ChunkText.Separator : "";
        stream.Seek(0, SeekOrigin.End);
        stream.Write(Utf8.GetBytes(separator + text));
        stream.Flush(flushToDisk: true);
        return new RecordedChunk(index, text.Length, $"[Part {index + 1}", stream.Length, BookRunner.TailHash(stream));
    }

    /// <summary>Writes a book as the upstream tool did and returns its chunk_done records (characters only).</summary>
    private List<RecordedChunk> WriteUpstream(IReadOnlyList<string> chunks)
    {
        File.WriteAllText(_book, string.Join("\n\n", chunks), Utf8);
        return chunks.Select((text, i) => new RecordedChunk(i + 1, text.EnumerateRunes().Count(), null, null, null)).ToList();
    }

    /// <summary>Prose of about <paramref name="characters"/> characters with two- and three-byte UTF-8 text.</summary>
    private static string Prose(int chunk, int characters)
    {
        string[] words = ["Säure", "base", "équilibre", "中文", "reaction", "naïve", "—", "molécule", "Größe", "ion", "π"];
        var builder = new StringBuilder();
        builder.Append($"## Chapter {chunk}\n\n");
        for (var i = 0; builder.Length < characters; i++)
        {
            builder.Append(words[(i * 7 + chunk * 3) % words.Length]).Append(' ').Append(chunk * 1000 + i);
            builder.Append(i % 12 == 11 ? ".\n\n" : " ");
        }
        return builder.ToString().TrimEnd();
    }

    private List<RecordedChunk> WriteBook(int chunks, int characters) =>
        Enumerable.Range(1, chunks).Select(i => Append(i, Prose(i, characters))).ToList();

    private byte[] Book() => File.ReadAllBytes(_book);

    private static byte[] Joined(IEnumerable<string> chunks) => Utf8.GetBytes(string.Join(ChunkText.Separator, chunks));

    public static TheoryData<int> ChunkSizes => new() { 300, 5000 };

    [Theory]
    [MemberData(nameof(ChunkSizes))]
    public void Intact_book_is_left_alone(int characters)
    {
        var chain = WriteBook(5, characters);
        var before = Book();

        var result = BookReconciler.Reconcile(_book, chain, isUpstream: false, force: false, Clock);

        Assert.Equal(new ReconcileResult(5, before.Length, 0, null, result.Summary), result);
        Assert.Equal(before, Book());
        Assert.Single(Directory.EnumerateFiles(Path.GetDirectoryName(_book)!));
    }

    [Theory]
    [MemberData(nameof(ChunkSizes))]
    public void Chunk_written_but_not_logged_is_cut_back_exactly_and_saved_aside(int characters)
    {
        var chain = WriteBook(3, characters);
        var logged = Book();
        var unlogged = Prose(4, characters);
        Append(4, unlogged);
        var withExtra = Book();

        var result = BookReconciler.Reconcile(_book, chain, isUpstream: false, force: false, Clock);

        Assert.Equal(3, result.ChunksKept);
        Assert.Equal(logged.Length, result.BookLength);
        Assert.Equal(withExtra.Length - logged.Length, result.BytesCut);
        Assert.Equal(logged, Book());
        Assert.Equal(_book + ".cut-" + Stamp, result.MovedAsidePath);
        Assert.Equal(Utf8.GetBytes(ChunkText.Separator + unlogged), File.ReadAllBytes(result.MovedAsidePath!));
    }

    [Fact]
    public void Partial_text_after_the_last_chunk_is_cut_back()
    {
        var chain = WriteBook(2, 400);
        var logged = Book();
        File.AppendAllText(_book, "\n\nHalf a sentence, é", Utf8);

        var result = BookReconciler.Reconcile(_book, chain, isUpstream: false, force: false, Clock);

        Assert.Equal(2, result.ChunksKept);
        Assert.Equal(logged, Book());
        Assert.Equal("\n\nHalf a sentence, é", File.ReadAllText(result.MovedAsidePath!, Utf8));
    }

    [Theory]
    [MemberData(nameof(ChunkSizes))]
    public void Shorter_book_stops_with_a_mismatch_naming_both_lengths(int characters)
    {
        var chain = WriteBook(4, characters);
        var recorded = chain[^1].OutLength!.Value;
        using (var stream = new FileStream(_book, FileMode.Open)) stream.SetLength(recorded - 10);
        var before = Book();

        var error = Assert.Throws<BookMismatchException>(() =>
            BookReconciler.Reconcile(_book, chain, isUpstream: false, force: false, Clock));

        Assert.Equal(BookMismatchKind.Shorter, error.Kind);
        Assert.Equal(recorded, error.RecordedLength);
        Assert.Equal(recorded - 10, error.ActualLength);
        Assert.Contains(_book, error.Message);
        Assert.Contains($"{recorded} bytes", error.Message);
        Assert.Contains($"{recorded - 10} bytes", error.Message);
        Assert.Contains("shorter", error.Message);
        Assert.Contains("-Force", error.Message);
        Assert.Equal(before, Book());
    }

    [Theory]
    [MemberData(nameof(ChunkSizes))]
    public void Edited_tail_stops_with_a_mismatch(int characters)
    {
        var chain = WriteBook(3, characters);
        var bytes = Book();
        bytes[^5] = (byte)(bytes[^5] == (byte)'x' ? 'y' : 'x');
        File.WriteAllBytes(_book, bytes);

        var error = Assert.Throws<BookMismatchException>(() =>
            BookReconciler.Reconcile(_book, chain, isUpstream: false, force: false, Clock));

        Assert.Equal(BookMismatchKind.TailMismatch, error.Kind);
        Assert.Equal(bytes.Length, error.ActualLength);
        Assert.Contains("tail hash", error.Message);
        Assert.Equal(bytes, Book());
    }

    [Fact]
    public void Missing_book_stops_with_a_mismatch_unless_forced()
    {
        var chain = WriteBook(2, 300);
        File.Delete(_book);

        var error = Assert.Throws<BookMismatchException>(() =>
            BookReconciler.Reconcile(_book, chain, isUpstream: false, force: false, Clock));
        Assert.Equal(BookMismatchKind.Missing, error.Kind);
        Assert.Null(error.ActualLength);

        var result = BookReconciler.Reconcile(_book, chain, isUpstream: false, force: true, Clock);
        Assert.Equal(new ReconcileResult(0, 0, 0, null, result.Summary), result);
    }

    [Theory]
    [MemberData(nameof(ChunkSizes))]
    public void Force_after_an_edit_in_chunk_3_of_5_keeps_two_chunks_and_saves_the_rest(int characters)
    {
        var texts = Enumerable.Range(1, 5).Select(i => Prose(i, characters)).ToList();
        var chain = texts.Select((text, i) => Append(i + 1, text)).ToList();
        var bytes = Book();
        var chunk3Middle = (int)chain[1].OutLength!.Value + 2 + Utf8.GetByteCount(texts[2][..(texts[2].Length / 2)]);
        var edited = bytes[..chunk3Middle].Concat(Utf8.GetBytes(" An edit by hand, ü.")).Concat(bytes[chunk3Middle..]).ToArray();
        File.WriteAllBytes(_book, edited);

        Assert.Throws<BookMismatchException>(() => BookReconciler.Reconcile(_book, chain, isUpstream: false, force: false, Clock));
        var result = BookReconciler.Reconcile(_book, chain, isUpstream: false, force: true, Clock);

        Assert.Equal(2, result.ChunksKept);
        Assert.Equal(chain[1].OutLength, result.BookLength);
        Assert.Equal(edited.Length - chain[1].OutLength!.Value, result.BytesCut);
        Assert.Equal(Joined(texts.Take(2)), Book());
        Assert.Equal(edited[(int)chain[1].OutLength!.Value..], File.ReadAllBytes(result.MovedAsidePath!));
        Assert.StartsWith(_book + ".cut-", result.MovedAsidePath);
    }

    [Fact]
    public void Force_with_no_chunk_matching_moves_the_book_aside_and_starts_empty()
    {
        var chain = WriteBook(3, 500);
        var replacement = Utf8.GetBytes(Prose(9, 3000));
        File.WriteAllBytes(_book, replacement);

        var result = BookReconciler.Reconcile(_book, chain, isUpstream: false, force: true, Clock);

        Assert.Equal(0, result.ChunksKept);
        Assert.Equal(0, result.BookLength);
        Assert.Equal(_book + ".replaced-" + Stamp, result.MovedAsidePath);
        Assert.False(File.Exists(_book));
        Assert.Equal(replacement, File.ReadAllBytes(result.MovedAsidePath!));
    }

    [Fact]
    public void No_chunk_recorded_but_text_in_the_book_is_cut_to_empty_and_saved_aside()
    {
        Append(1, "Text written before the first log line — ß.");
        var before = Book();

        var result = BookReconciler.Reconcile(_book, [], isUpstream: false, force: false, Clock);

        Assert.Equal(0, result.ChunksKept);
        Assert.Equal(0, result.BookLength);
        Assert.Equal(before.Length, result.BytesCut);
        Assert.Empty(Book());
        Assert.Equal(before, File.ReadAllBytes(result.MovedAsidePath!));
    }

    [Fact]
    public void No_chunk_recorded_and_no_book_changes_nothing()
    {
        var result = BookReconciler.Reconcile(_book, [], isUpstream: false, force: false, Clock);

        Assert.Equal(new ReconcileResult(0, 0, 0, null, result.Summary), result);
        Assert.False(File.Exists(_book));
    }

    [Fact]
    public void A_second_cut_in_the_same_second_does_not_overwrite_the_first()
    {
        var chain = WriteBook(1, 200);
        File.AppendAllText(_book, "first extra", Utf8);
        var first = BookReconciler.Reconcile(_book, chain, isUpstream: false, force: false, Clock);
        File.AppendAllText(_book, "second extra", Utf8);
        var second = BookReconciler.Reconcile(_book, chain, isUpstream: false, force: false, Clock);

        Assert.NotEqual(first.MovedAsidePath, second.MovedAsidePath);
        Assert.Equal("first extra", File.ReadAllText(first.MovedAsidePath!));
        Assert.Equal("second extra", File.ReadAllText(second.MovedAsidePath!));
    }

    [Fact]
    public void Chunks_redone_after_a_cut_back_are_checked_against_their_new_record()
    {
        var chain = WriteBook(4, 300);
        using (var stream = new FileStream(_book, FileMode.Open)) stream.SetLength(chain[1].OutLength!.Value);
        var redone = Append(3, "Chunk 3, written again — différent.");
        var events = chain.Take(2).Append(redone).ToList();

        var result = BookReconciler.Reconcile(_book, events, isUpstream: false, force: false, Clock);

        Assert.Equal(3, result.ChunksKept);
        Assert.Equal(0, result.BytesCut);
    }

    [Fact]
    public void Upstream_book_that_fits_exactly_is_kept()
    {
        var chain = WriteUpstream([Prose(1, 800), Prose(2, 600) + " 🚀", Prose(3, 700)]);
        var before = Book();

        var result = BookReconciler.Reconcile(_book, chain, isUpstream: true, force: false, Clock);

        Assert.Equal(new ReconcileResult(3, before.Length, 0, null, result.Summary), result);
        Assert.Equal(before, Book());
    }

    [Fact]
    public void Longer_upstream_book_is_cut_back_at_the_last_chunks_character_boundary()
    {
        string[] texts = [Prose(1, 900), "Zweites Kapitel: 🚀 Größe — 中文.", Prose(3, 5000)];
        var chain = WriteUpstream(texts);
        File.AppendAllText(_book, "\n\nChapter 4 — ünlogged 🚀", Utf8);

        var result = BookReconciler.Reconcile(_book, chain, isUpstream: true, force: false, Clock);

        Assert.Equal(3, result.ChunksKept);
        Assert.Equal(Joined(texts), Book());
        Assert.Equal(Book().Length, result.BookLength);
        Assert.Equal("\n\nChapter 4 — ünlogged 🚀", File.ReadAllText(result.MovedAsidePath!, Utf8));
        Assert.Equal(Utf8.GetByteCount("\n\nChapter 4 — ünlogged 🚀"), result.BytesCut);
    }

    [Fact]
    public void Upstream_characters_are_counted_across_read_buffers_with_a_character_split_between_them()
    {
        // 65,535 ASCII bytes put the first byte of a three-byte character at the end of the first 64 KiB read.
        string[] texts = [new string('a', 65535) + "中文 — 🚀 Größe", Prose(2, 40000), Prose(3, 30000)];
        var chain = WriteUpstream(texts);
        File.AppendAllText(_book, "\n\nÜberschuss 中文", Utf8);

        var result = BookReconciler.Reconcile(_book, chain, isUpstream: true, force: false, Clock);

        Assert.Equal(3, result.ChunksKept);
        Assert.Equal(Joined(texts), Book());
        Assert.Equal("\n\nÜberschuss 中文", File.ReadAllText(result.MovedAsidePath!, Utf8));
    }

    [Fact]
    public void Shorter_upstream_book_is_not_reconcilable_without_force()
    {
        var chain = WriteUpstream([Prose(1, 900), Prose(2, 900), Prose(3, 900)]);
        var bytes = Book();
        File.WriteAllBytes(_book, bytes[..^40]);

        var error = Assert.Throws<UpstreamJobNotReconcilableException>(() =>
            BookReconciler.Reconcile(_book, chain, isUpstream: true, force: false, Clock));

        Assert.Equal("UpstreamJobNotReconcilable", error.ErrorId);
        Assert.Contains("UpstreamJobNotReconcilable", error.Message);
        Assert.Contains(_book, error.Message);
        Assert.Equal(bytes[..^40], Book());
    }

    [Fact]
    public void Forced_shorter_upstream_book_keeps_the_last_chunk_that_fits()
    {
        string[] texts = [Prose(1, 900), "Zwei — 🚀 中文 " + Prose(2, 700), Prose(3, 900), Prose(4, 900)];
        var chain = WriteUpstream(texts);
        var keptBytes = Joined(texts.Take(2));
        var partial = Utf8.GetBytes("\n\n" + texts[2][..100]);
        File.WriteAllBytes(_book, [.. keptBytes, .. partial]);

        var result = BookReconciler.Reconcile(_book, chain, isUpstream: true, force: true, Clock);

        Assert.Equal(2, result.ChunksKept);
        Assert.Equal(keptBytes.Length, result.BookLength);
        Assert.Equal(partial.Length, result.BytesCut);
        Assert.Equal(keptBytes, Book());
        Assert.Equal(partial, File.ReadAllBytes(result.MovedAsidePath!));
    }

    [Fact]
    public void Forced_upstream_book_shorter_than_its_first_chunk_is_moved_aside()
    {
        var chain = WriteUpstream([Prose(1, 900), Prose(2, 900)]);
        File.WriteAllText(_book, "Only a little.", Utf8);

        var result = BookReconciler.Reconcile(_book, chain, isUpstream: true, force: true, Clock);

        Assert.Equal(0, result.ChunksKept);
        Assert.False(File.Exists(_book));
        Assert.Equal("Only a little.", File.ReadAllText(result.MovedAsidePath!));
        Assert.Contains(".replaced-", result.MovedAsidePath);
    }

    [Fact]
    public void Missing_upstream_book_is_not_reconcilable_without_force()
    {
        var chain = WriteUpstream([Prose(1, 300)]);
        File.Delete(_book);

        var error = Assert.Throws<UpstreamJobNotReconcilableException>(() =>
            BookReconciler.Reconcile(_book, chain, isUpstream: true, force: false, Clock));
        Assert.Null(error.ActualCharacters);

        Assert.Equal(0, BookReconciler.Reconcile(_book, chain, isUpstream: true, force: true, Clock).ChunksKept);
    }

    [Fact]
    public void Forced_resume_of_a_job_continued_from_upstream_falls_back_to_counting_its_upstream_chunks()
    {
        string[] texts = [Prose(1, 800), Prose(2, 800)];
        var upstream = WriteUpstream(texts);
        var ours = Append(3, Prose(3, 800));
        var chain = upstream.Append(ours).ToList();
        File.WriteAllBytes(_book, Book()[..^200]);

        var result = BookReconciler.Reconcile(_book, chain, isUpstream: false, force: true, Clock);

        Assert.Equal(2, result.ChunksKept);
        Assert.Equal(Joined(texts), Book());
    }
}

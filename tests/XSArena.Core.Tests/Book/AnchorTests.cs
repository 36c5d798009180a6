using System.Text;
using XSArena.Core.Book;

namespace XSArena.Core.Tests.Book;

public class AnchorTests
{
    [Fact]
    public void FromTail_of_empty_or_blank_text_is_empty()
    {
        Assert.Equal(string.Empty, Anchor.FromTail(string.Empty));
        Assert.Equal(string.Empty, Anchor.FromTail("   \n "));
    }

    [Fact]
    public void FromTail_keeps_only_the_last_max_chars()
    {
        var text = new string('a', 500) + new string('b', 100);

        var anchor = Anchor.FromTail(text, 150);

        Assert.Equal(new string('a', 50) + new string('b', 100), anchor);
    }

    [Fact]
    public void FromTail_cuts_after_a_sentence_end_near_the_end()
    {
        var text = new string('x', 250) + ". Trailing partial sentence without end";

        var anchor = Anchor.FromTail(text);

        Assert.EndsWith("x.", anchor);
        Assert.DoesNotContain("Trailing", anchor);
    }

    [Fact]
    public void FromTail_keeps_partial_sentence_when_sentence_end_is_too_far_back()
    {
        var text = "Start. " + new string('y', 200);

        var anchor = Anchor.FromTail(text);

        Assert.Equal(text, anchor);
    }

    [Fact]
    public void FromTail_uses_the_last_of_period_exclamation_and_question_mark()
    {
        var anchor = Anchor.FromTail("One. Two! Three? four five");

        Assert.Equal("One. Two! Three?", anchor);
    }

    [Fact]
    public void FromTail_keeps_closing_quote_after_sentence_end()
    {
        var anchor = Anchor.FromTail("He said \"stop.\" and then");

        Assert.Equal("He said \"stop.\"", anchor);
    }

    [Fact]
    public void FromTail_does_not_start_with_half_a_surrogate_pair()
    {
        var text = "🚀" + new string('z', 9);

        var anchor = Anchor.FromTail(text, 10);

        Assert.Equal(new string('z', 9), anchor);
    }

    [Fact]
    public void ReadTail_returns_whole_small_file()
    {
        using var file = new TempFile("short text ✓");

        Assert.Equal("short text ✓", Anchor.ReadTail(file.Path));
    }

    [Fact]
    public void ReadTail_reads_only_the_last_bytes()
    {
        using var file = new TempFile(new string('a', 10_000) + "THE END");

        var tail = Anchor.ReadTail(file.Path, 100);

        Assert.Equal(100, tail.Length);
        Assert.EndsWith("THE END", tail);
    }

    [Fact]
    public void ReadTail_skips_a_partial_leading_utf8_sequence()
    {
        // "é" is two bytes, so a 5-byte window over six bytes starts on the second byte of the first "é".
        using var file = new TempFile("ééé");

        var tail = Anchor.ReadTail(file.Path, 5);

        Assert.Equal("éé", tail);
        Assert.DoesNotContain('\uFFFD', tail);
    }

    [Fact]
    public void ReadTail_skips_partial_four_byte_sequence()
    {
        using var file = new TempFile("🚀🚀");

        var tail = Anchor.ReadTail(file.Path, 6);

        Assert.Equal("🚀", tail);
    }

    [Fact]
    public void ReadTail_drops_an_incomplete_character_at_the_end()
    {
        using var file = new TempFile(bytes: [.. Encoding.UTF8.GetBytes("ok"), 0xE2, 0x9C]);

        Assert.Equal("ok", Anchor.ReadTail(file.Path));
    }

    [Fact]
    public void ReadTail_strips_byte_order_mark()
    {
        using var file = new TempFile(bytes: [.. Encoding.UTF8.Preamble, .. Encoding.UTF8.GetBytes("text")]);

        Assert.Equal("text", Anchor.ReadTail(file.Path));
    }

    [Fact]
    public void ReadTail_of_missing_file_is_empty()
    {
        var path = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".md");

        Assert.Equal(string.Empty, Anchor.ReadTail(path));
    }

    [Fact]
    public void ReadTail_works_while_another_writer_holds_the_file_open()
    {
        using var file = new TempFile("written so far.");
        using var writer = new FileStream(file.Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);

        Assert.Equal("written so far.", Anchor.ReadTail(file.Path));
    }

    private sealed class TempFile : IDisposable
    {
        public TempFile(string? text = null, byte[]? bytes = null)
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".md");
            File.WriteAllBytes(Path, bytes ?? new UTF8Encoding(false).GetBytes(text ?? string.Empty));
        }

        public string Path { get; }

        public void Dispose() => File.Delete(Path);
    }
}

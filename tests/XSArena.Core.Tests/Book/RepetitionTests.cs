using XSArena.Core.Book;

namespace XSArena.Core.Tests.Book;

public class RepetitionTests
{
    private const string Paragraph =
        "Photosynthesis converts light energy into chemical energy stored in sugars, using water and carbon dioxide.";

    [Fact]
    public void Similarity_of_identical_texts_is_one()
    {
        Assert.Equal(1.0, Repetition.Similarity(Paragraph, Paragraph));
    }

    [Fact]
    public void Similarity_ignores_case_and_whitespace_layout()
    {
        var reflowed = Paragraph.ToUpperInvariant().Replace(" ", "  \n\t ");

        Assert.Equal(1.0, Repetition.Similarity(Paragraph, reflowed));
    }

    [Fact]
    public void Similarity_of_unrelated_texts_is_low()
    {
        var score = Repetition.Similarity(Paragraph, "Quarterly tax filings require receipts, ledgers and a signed form.");

        Assert.InRange(score, 0.0, 0.15);
    }

    [Fact]
    public void Similarity_is_symmetric_and_bounded()
    {
        var a = Paragraph;
        var b = "Light energy becomes chemical energy in sugars.";

        Assert.Equal(Repetition.Similarity(a, b), Repetition.Similarity(b, a));
        Assert.InRange(Repetition.Similarity(a, b), 0.0, 1.0);
    }

    [Fact]
    public void Similarity_with_empty_text_is_zero()
    {
        Assert.Equal(0.0, Repetition.Similarity(string.Empty, Paragraph));
        Assert.Equal(0.0, Repetition.Similarity(" ", " "));
    }

    [Fact]
    public void Similarity_matches_short_identical_texts()
    {
        Assert.Equal(1.0, Repetition.Similarity("ok", "OK"));
    }

    [Fact]
    public void IsRepeat_detects_extension_that_restates_the_tail_even_when_much_longer()
    {
        // A long extension that opens by restating the tail: whole-text Jaccard stays low because of the size
        // difference, which is exactly why the comparison is done on equal-length windows.
        var tail = Paragraph;
        var extension = Paragraph + " " + string.Join(" ", Enumerable.Range(0, 60).Select(i => $"novel sentence number {i} about chloroplast membranes."));

        Assert.True(Repetition.Similarity(extension, tail) < Repetition.DefaultThreshold);
        Assert.True(Repetition.IsRepeat(extension, tail, Repetition.DefaultThreshold));
    }

    [Fact]
    public void IsRepeat_accepts_genuinely_new_text()
    {
        var extension = "The Calvin cycle then fixes carbon through a sequence of enzyme-driven reactions in the stroma.";

        Assert.False(Repetition.IsRepeat(extension, Paragraph, Repetition.DefaultThreshold));
    }

    [Fact]
    public void IsRepeat_is_false_for_empty_candidate()
    {
        Assert.False(Repetition.IsRepeat(string.Empty, Paragraph, 0.0));
    }

    [Fact]
    public void IsRepeat_compares_with_the_end_of_long_recent_text()
    {
        var recent = new string('q', 2000) + " " + Paragraph;

        Assert.True(Repetition.IsRepeat(Paragraph, recent, Repetition.DefaultThreshold));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.1)]
    [InlineData(double.NaN)]
    public void IsRepeat_rejects_threshold_outside_zero_to_one(double threshold)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Repetition.IsRepeat("a", "b", threshold));
    }
}

using XSArena.Core.Book;

namespace XSArena.Core.Tests.Book;

public sealed class RepetitionLoopTests
{
    private const string Intro = "A book chapter begins with ordinary prose that does not repeat itself at all.\n";

    [Fact]
    public void A_sentence_repeated_until_the_end_is_cut_after_its_first_occurrence()
    {
        var sentence = "The same sentence comes back again and again.";
        var text = Intro + string.Concat(Enumerable.Repeat(sentence + " ", 30));
        var trimmed = RepetitionLoop.Trim(text, out var loop);
        Assert.NotNull(loop);
        Assert.Equal(30, loop.Occurrences);
        Assert.Equal(Intro + sentence, trimmed);
    }

    [Fact]
    public void A_cycle_of_lines_keeps_one_round()
    {
        var cycle = "First line of the cycle goes here.\nSecond line of the cycle goes here.\nThird line of the cycle goes here.\n";
        var text = Intro + string.Concat(Enumerable.Repeat(cycle, 10));
        Assert.Equal((Intro + cycle).TrimEnd(), RepetitionLoop.Trim(text, out _));
    }

    [Fact]
    public void Ordinary_prose_with_a_recurring_heading_is_left_alone()
    {
        var sections = Enumerable.Range(1, 5).Select(n =>
            $"## Worked example\nExample number {n} computes a different determinant with its own numbers {n * 7}.\n" +
            $"We then check the result {n} against the formula from the previous section of part {n}.\n");
        var text = Intro + string.Concat(sections);
        Assert.Null(RepetitionLoop.Find(text));
        Assert.Same(text, RepetitionLoop.Trim(text, out _));
    }

    [Fact]
    public void A_sentence_repeated_twice_is_not_a_loop()
    {
        var text = Intro + "This sentence is said twice for emphasis here. This sentence is said twice for emphasis here.";
        Assert.Null(RepetitionLoop.Find(text));
    }
}

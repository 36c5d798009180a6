using XSArena.Core.Book;

namespace XSArena.Core.Tests.Book;

public class NextMarkerTests
{
    [Fact]
    public void Strip_removes_trailing_marker_and_returns_hint_without_brackets()
    {
        var result = NextMarker.Strip("Body text.\n\nNEXT: [Error correction codes]");

        Assert.Equal("Body text.", result.Body);
        Assert.Equal("Error correction codes", result.Hint);
        Assert.False(result.IsEnd);
    }

    [Fact]
    public void Strip_without_marker_returns_text_and_no_hint()
    {
        var result = NextMarker.Strip("Just prose.\nMore prose.");

        Assert.Equal("Just prose.\nMore prose.", result.Body);
        Assert.Null(result.Hint);
        Assert.False(result.IsEnd);
    }

    [Fact]
    public void Strip_leaves_next_colon_in_prose_untouched()
    {
        const string text = "The next: step is [important] here.\nNEXT: [a] is how the model ends.\nFinal line.";

        var result = NextMarker.Strip(text);

        Assert.Equal(text, result.Body);
        Assert.Null(result.Hint);
    }

    [Fact]
    public void Strip_leaves_marker_in_the_middle_of_the_text()
    {
        const string text = "First.\nNEXT: [Middle]\nSecond paragraph continues.";

        var result = NextMarker.Strip(text);

        Assert.Equal(text, result.Body);
        Assert.Null(result.Hint);
    }

    [Fact]
    public void Strip_removes_only_the_last_of_two_markers()
    {
        var result = NextMarker.Strip("Intro.\nNEXT: [One]\nMore.\nNEXT: [Two]");

        Assert.Equal("Intro.\nNEXT: [One]\nMore.", result.Body);
        Assert.Equal("Two", result.Hint);
    }

    [Fact]
    public void Strip_handles_trailing_spaces_and_crlf()
    {
        var result = NextMarker.Strip("Line one.\r\nLine two.\r\nNEXT: [Topic]   \r\n\r\n  ");

        Assert.Equal("Line one.\r\nLine two.", result.Body);
        Assert.Equal("Topic", result.Hint);
    }

    [Theory]
    [InlineData("next : [x]")]
    [InlineData("Next:[x]")]
    [InlineData("  NEXT:   [  x  ]  ")]
    [InlineData("**NEXT: [x]**")]
    public void Strip_accepts_case_and_spacing_variants(string marker)
    {
        var result = NextMarker.Strip("Body.\n" + marker);

        Assert.Equal("Body.", result.Body);
        Assert.Equal("x", result.Hint);
    }

    [Fact]
    public void Strip_removes_empty_marker_with_null_hint()
    {
        var result = NextMarker.Strip("Body.\nNEXT: []");

        Assert.Equal("Body.", result.Body);
        Assert.Null(result.Hint);
        Assert.False(result.IsEnd);
    }

    [Theory]
    [InlineData("NEXT: [END]")]
    [InlineData("next: [end]")]
    [InlineData("NEXT: [ End ]")]
    [InlineData("NEXT: END")]
    public void Strip_recognises_end_marker(string marker)
    {
        var result = NextMarker.Strip("Last chapter.\n" + marker);

        Assert.True(result.IsEnd);
        Assert.Equal("END", result.Hint);
        Assert.Equal("Last chapter.", result.Body);
    }

    [Fact]
    public void Strip_hint_mentioning_end_is_not_the_end()
    {
        var result = NextMarker.Strip("Body.\nNEXT: [End-to-end testing]");

        Assert.False(result.IsEnd);
        Assert.Equal("End-to-end testing", result.Hint);
    }

    [Fact]
    public void Strip_accepts_unbracketed_marker_on_the_last_line()
    {
        var result = NextMarker.Strip("Body.\nNEXT: Stellar nucleosynthesis");

        Assert.Equal("Body.", result.Body);
        Assert.Equal("Stellar nucleosynthesis", result.Hint);
    }

    [Fact]
    public void Strip_of_text_that_is_only_a_marker_gives_empty_body()
    {
        var result = NextMarker.Strip("\n  NEXT: [Chapter 2]\n");

        Assert.Equal(string.Empty, result.Body);
        Assert.Equal("Chapter 2", result.Hint);
    }

    [Fact]
    public void Strip_keeps_unicode_in_body_and_hint()
    {
        var result = NextMarker.Strip("Ça marche — 日本語 🚀.\nNEXT: [Überblick 🧪]");

        Assert.Equal("Ça marche — 日本語 🚀.", result.Body);
        Assert.Equal("Überblick 🧪", result.Hint);
    }

    [Fact]
    public void Strip_drops_leading_blank_lines_but_keeps_indentation_of_first_line()
    {
        var result = NextMarker.Strip("\n\n    indented code\ntext\n\nNEXT: [x]");

        Assert.Equal("    indented code\ntext", result.Body);
    }

    [Fact]
    public void Strip_of_blank_text_is_empty()
    {
        var result = NextMarker.Strip(" \n\t ");

        Assert.Equal(string.Empty, result.Body);
        Assert.Null(result.Hint);
    }

    [Fact]
    public void Strip_does_not_treat_words_starting_with_next_as_marker()
    {
        const string text = "Body.\nNextGen: [x]";

        var result = NextMarker.Strip(text);

        Assert.Equal(text, result.Body);
        Assert.Null(result.Hint);
    }
}

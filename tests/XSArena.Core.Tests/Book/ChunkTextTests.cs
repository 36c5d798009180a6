using XSArena.Core.Book;

namespace XSArena.Core.Tests.Book;

public class ChunkTextTests
{
    [Fact]
    public void JoinExtension_continues_a_sentence_with_a_single_space()
    {
        Assert.Equal("The cell divides and", ChunkText.JoinExtension("The cell divides", "and"));
        Assert.Equal("The cell divides and then", ChunkText.JoinExtension("The cell divides  ", "  and then"));
    }

    [Fact]
    public void JoinExtension_never_glues_words_together()
    {
        var joined = ChunkText.JoinExtension("end of sentence.", "Next sentence.");

        Assert.Equal("end of sentence. Next sentence.", joined);
    }

    [Fact]
    public void JoinExtension_puts_a_blank_line_before_a_new_paragraph()
    {
        Assert.Equal("First paragraph.\n\nSecond paragraph.", ChunkText.JoinExtension("First paragraph.\n", "\nSecond paragraph."));
        Assert.Equal("First paragraph.\n\nSecond paragraph.", ChunkText.JoinExtension("First paragraph.", "\r\nSecond paragraph."));
    }

    [Theory]
    [InlineData("## Heading")]
    [InlineData("# Chapter 2")]
    [InlineData("> A quote")]
    [InlineData("```python")]
    [InlineData("| a | b |")]
    [InlineData("---")]
    public void JoinExtension_puts_a_blank_line_before_a_block(string block)
    {
        Assert.Equal("Text ends here.\n\n" + block, ChunkText.JoinExtension("Text ends here.", block));
    }

    [Fact]
    public void JoinExtension_puts_a_blank_line_after_a_heading()
    {
        Assert.Equal("## Heading\n\nBody starts.", ChunkText.JoinExtension("## Heading", "Body starts."));
    }

    [Fact]
    public void JoinExtension_keeps_list_items_on_consecutive_lines()
    {
        Assert.Equal("- one\n- two", ChunkText.JoinExtension("- one", "\n- two"));
        Assert.Equal("1. one\n2. two", ChunkText.JoinExtension("1. one", "2. two"));
    }

    [Fact]
    public void JoinExtension_stays_inside_an_open_code_fence()
    {
        Assert.Equal("```\nx = 1\ny = 2", ChunkText.JoinExtension("```\nx = 1", "\n\ny = 2"));
    }

    [Fact]
    public void JoinExtension_with_empty_parts_returns_the_other_trimmed()
    {
        Assert.Equal("Chunk.", ChunkText.JoinExtension("Chunk.\n\n", "  \n "));
        Assert.Equal("Extension.", ChunkText.JoinExtension("", "\n\nExtension.\n"));
    }

    [Fact]
    public void Separator_is_a_blank_line()
    {
        Assert.Equal("\n\n", ChunkText.Separator);
    }
}

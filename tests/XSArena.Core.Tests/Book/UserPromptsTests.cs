using XSArena.Core.Book;

namespace XSArena.Core.Tests.Book;

public class UserPromptsTests
{
    [Fact]
    public void FirstChunk_names_part_one_and_begins()
    {
        var prompt = UserPrompts.FirstChunk(12, generatePlan: false, operatorHint: null);

        Assert.Contains("Part 1 of 12.", prompt);
        Assert.Contains("BEGIN", prompt);
        Assert.DoesNotContain("outline", prompt, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Operator", prompt);
    }

    [Fact]
    public void FirstChunk_with_plan_asks_for_outline_ending_with_begin_chapter_one()
    {
        var prompt = UserPrompts.FirstChunk(40, generatePlan: true, operatorHint: null);

        Assert.Contains("Part 1 of 40.", prompt);
        Assert.Contains("outline", prompt);
        Assert.Contains("NEXT: [Begin Chapter 1]", prompt);
    }

    [Fact]
    public void FirstChunk_includes_operator_hint_as_priority_instruction()
    {
        var prompt = UserPrompts.FirstChunk(12, generatePlan: true, operatorHint: "  Start with history.  ");

        Assert.Contains("takes priority", prompt);
        Assert.EndsWith("Start with history.", prompt);
    }

    [Fact]
    public void Continuation_quotes_the_anchor_between_delimiter_lines()
    {
        var prompt = UserPrompts.Continuation(3, 12, "The last sentence.", null, null);

        Assert.Contains("Part 3 of 12.", prompt);
        Assert.Contains("\n<<<ANCHOR\nThe last sentence.\nANCHOR>>>", prompt);
        Assert.Contains("Continue the manual exactly after", prompt);
        Assert.Contains("Do not repeat", prompt);
        Assert.DoesNotContain("\\n", prompt);
    }

    [Fact]
    public void Continuation_says_not_to_wrap_up()
    {
        Assert.Contains("Do not wrap up", UserPrompts.Continuation(2, 12, "x.", null, null));
    }

    [Fact]
    public void Continuation_includes_model_hint_as_next_topic()
    {
        var prompt = UserPrompts.Continuation(2, 12, "Anchor.", "Enzyme kinetics", null);

        Assert.Contains("Next topic (from the end of your previous part): Enzyme kinetics", prompt);
    }

    [Fact]
    public void Continuation_ignores_blank_or_end_model_hint()
    {
        Assert.DoesNotContain("Next topic", UserPrompts.Continuation(2, 12, "Anchor.", "  ", null));
        Assert.DoesNotContain("Next topic", UserPrompts.Continuation(2, 12, "Anchor.", "END", null));
    }

    [Fact]
    public void Continuation_orders_anchor_then_model_hint_then_operator_hint_with_priority()
    {
        var prompt = UserPrompts.Continuation(5, 24, "Anchor text.", "Model topic", "Operator topic");

        var anchor = prompt.IndexOf("Anchor text.", StringComparison.Ordinal);
        var model = prompt.IndexOf("Model topic", StringComparison.Ordinal);
        var operatorHint = prompt.IndexOf("Operator instruction (takes priority over the next topic and the quoted text): Operator topic", StringComparison.Ordinal);
        Assert.True(anchor >= 0 && model > anchor && operatorHint > model, prompt);
    }

    [Fact]
    public void Continuation_without_anchor_still_instructs_to_continue()
    {
        var prompt = UserPrompts.Continuation(2, 12, "   ", null, null);

        Assert.Contains("Part 2 of 12.", prompt);
        Assert.Contains("Continue the manual", prompt);
        Assert.DoesNotContain("<<<ANCHOR", prompt);
    }

    [Fact]
    public void Continuation_normalises_anchor_line_endings()
    {
        var prompt = UserPrompts.Continuation(2, 2, "line one\r\nline two", null, null);

        Assert.Contains("<<<ANCHOR\nline one\nline two\nANCHOR>>>", prompt);
    }

    [Fact]
    public void Extension_names_chunk_total_and_pass()
    {
        var prompt = UserPrompts.Extension(4, 12, 2, "Tail of chunk.");

        Assert.Contains("Part 4 of 12, extension 2.", prompt);
        Assert.DoesNotContain("Part 4 of 12.", prompt);
        Assert.Contains("<<<ANCHOR\nTail of chunk.\nANCHOR>>>", prompt);
        Assert.Contains("Do not wrap up", prompt);
    }

    [Fact]
    public void Prompts_for_different_parts_are_distinguishable()
    {
        Assert.DoesNotContain("Part 1 of 12.", UserPrompts.Continuation(11, 12, "a.", null, null));
        Assert.Contains("Part 11 of 12.", UserPrompts.Continuation(11, 12, "a.", null, null));
    }

    [Fact]
    public void Prompts_reject_parts_outside_the_book()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => UserPrompts.FirstChunk(0, false, null));
        Assert.Throws<ArgumentOutOfRangeException>(() => UserPrompts.Continuation(13, 12, "a", null, null));
        Assert.Throws<ArgumentOutOfRangeException>(() => UserPrompts.Continuation(0, 12, "a", null, null));
        Assert.Throws<ArgumentOutOfRangeException>(() => UserPrompts.Extension(2, 12, 0, "a"));
    }
}

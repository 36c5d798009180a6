using XSArena.Core.Book;

namespace XSArena.Core.Tests.Book;

public class SystemPromptTests
{
    [Fact]
    public void Compose_puts_subject_line_first()
    {
        var prompt = SystemPrompt.Compose(new SystemPromptInput("Marine Biology"));

        Assert.Equal("SUBJECT: Marine Biology", prompt.Split('\n')[0]);
    }

    [Fact]
    public void Compose_flattens_a_multi_line_subject_into_the_first_line()
    {
        var prompt = SystemPrompt.Compose(new SystemPromptInput("  Marine\r\n Biology \t"));

        Assert.Equal("SUBJECT: Marine Biology", prompt.Split('\n')[0]);
    }

    [Fact]
    public void Compose_rejects_blank_subject()
    {
        Assert.Throws<ArgumentException>(() => SystemPrompt.Compose(new SystemPromptInput("  ")));
    }

    [Fact]
    public void Compose_base_brief_names_the_subject_and_the_next_protocol()
    {
        var prompt = SystemPrompt.Compose(new SystemPromptInput("Marine Biology"));

        Assert.Contains("manual on Marine Biology", prompt);
        Assert.Contains("NEXT: [<the next specific subtopic>]", prompt);
        Assert.Contains("NEXT: [END]", prompt);
        Assert.Contains("800 to 1,200 words", prompt);
        Assert.Contains("CONTINUATION RULE", prompt);
        Assert.DoesNotContain("{subject}", prompt);
    }

    [Fact]
    public void Compose_is_deterministic()
    {
        var input = new SystemPromptInput("Topology") { Overlays = ["narrative", "no_bs"], ExtraNote = "note", GeneratePlan = true };

        Assert.Equal(SystemPrompt.Compose(input), SystemPrompt.Compose(input with { }));
    }

    [Fact]
    public void Compose_adds_overlays_in_the_given_order_once_each()
    {
        var prompt = SystemPrompt.Compose(new SystemPromptInput("X") { Overlays = ["compressed", "NARRATIVE", "compressed"] });

        var compressed = prompt.IndexOf("COMPRESSED OVERLAY", StringComparison.Ordinal);
        var narrative = prompt.IndexOf("NARRATIVE OVERLAY", StringComparison.Ordinal);
        Assert.True(compressed >= 0 && narrative > compressed);
        Assert.Equal(compressed, prompt.LastIndexOf("COMPRESSED OVERLAY", StringComparison.Ordinal));
        Assert.DoesNotContain("PLAIN-LANGUAGE OVERLAY", prompt);
    }

    [Fact]
    public void Compose_without_overlays_has_no_overlay_text()
    {
        var prompt = SystemPrompt.Compose(new SystemPromptInput("X"));

        Assert.DoesNotContain("OVERLAY", prompt);
    }

    [Fact]
    public void Compose_rejects_unknown_overlay_listing_known_ones()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            SystemPrompt.Compose(new SystemPromptInput("X") { Overlays = ["shouty"] }));

        Assert.Contains("shouty", error.Message);
        Assert.Contains("narrative, no_bs, compressed, bilingual", error.Message);
    }

    [Fact]
    public void Compose_includes_extra_note_outline_block_and_extra_files_after_the_rules()
    {
        var prompt = SystemPrompt.Compose(new SystemPromptInput("X")
        {
            ExtraNote = "  Use SI units.  ",
            GeneratePlan = true,
            ExtraFileTexts = ["FILE ONE\r\ncontent", "  ", "FILE TWO"],
        });

        var rule = prompt.IndexOf("CONTINUATION RULE", StringComparison.Ordinal);
        var note = prompt.IndexOf("Use SI units.", StringComparison.Ordinal);
        var outline = prompt.IndexOf("NEXT: [Begin Chapter 1]", StringComparison.Ordinal);
        var one = prompt.IndexOf("FILE ONE\ncontent", StringComparison.Ordinal);
        var two = prompt.IndexOf("FILE TWO", StringComparison.Ordinal);
        Assert.True(rule < note && note < outline && outline < one && one < two, prompt);
        Assert.EndsWith("FILE TWO", prompt);
        Assert.DoesNotContain("\r", prompt);
    }

    [Fact]
    public void Compose_without_plan_has_no_outline_block()
    {
        Assert.DoesNotContain("OUTLINE FIRST", SystemPrompt.Compose(new SystemPromptInput("X")));
    }

    [Theory]
    [InlineData("Constitutional law")]
    [InlineData("Design flaws in bridges")]
    [InlineData("Public policy")]
    public void Compose_adds_no_legal_disclaimer_by_subject_words(string subject)
    {
        var prompt = SystemPrompt.Compose(new SystemPromptInput(subject));

        Assert.DoesNotContain("legal advice", prompt, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Compose_uses_directive_files_over_built_in_texts()
    {
        var directives = new DictionarySource(new()
        {
            ["base/zero2hero.md"] = "Custom base for {subject}.\r\nSecond line about {subject}.",
            ["style/no_bs.md"] = "Custom plain style.",
        });

        var prompt = SystemPrompt.Compose(new SystemPromptInput("Chess") { Overlays = ["no_bs", "narrative"], Directives = directives });

        Assert.StartsWith("SUBJECT: Chess\n\nCustom base for Chess.\nSecond line about Chess.", prompt);
        Assert.Contains("Custom plain style.", prompt);
        Assert.DoesNotContain("PLAIN-LANGUAGE OVERLAY", prompt);
        Assert.Contains("NARRATIVE OVERLAY", prompt);
        Assert.DoesNotContain("ROLE", prompt);
    }

    [Fact]
    public void Compose_drops_a_subject_line_from_an_overriding_base_file()
    {
        var directives = new DictionarySource(new() { ["base/zero2hero.md"] = "SUBJECT: {subject}\nROLE: custom." });

        var prompt = SystemPrompt.Compose(new SystemPromptInput("Chess") { Directives = directives });

        Assert.StartsWith("SUBJECT: Chess\n\nROLE: custom.", prompt);
        Assert.Single(prompt.Split('\n'), l => l.StartsWith("SUBJECT:", StringComparison.Ordinal));
    }

    [Fact]
    public void Compose_asks_the_source_for_upstream_relative_names()
    {
        var directives = new DictionarySource([]);

        SystemPrompt.Compose(new SystemPromptInput("X") { Overlays = SystemPrompt.OverlayNames, Directives = directives });

        Assert.Equal(
            ["base/zero2hero.md", "style/narrative.md", "style/no_bs.md", "style/compressed.md", "style/bilingual.md"],
            directives.Requested);
    }

    [Fact]
    public void Default_overlays_are_known_overlays()
    {
        Assert.Equal(["narrative", "no_bs"], SystemPrompt.DefaultOverlays);
        Assert.All(SystemPrompt.DefaultOverlays, o => Assert.Contains(o, SystemPrompt.OverlayNames));
    }

    private sealed class DictionarySource(Dictionary<string, string> texts) : IDirectiveSource
    {
        public List<string> Requested { get; } = [];

        public string? Read(string relativePath)
        {
            Requested.Add(relativePath);
            return texts.GetValueOrDefault(relativePath);
        }
    }
}

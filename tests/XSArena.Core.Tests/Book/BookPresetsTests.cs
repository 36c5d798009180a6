using XSArena.Core.Book;

namespace XSArena.Core.Tests.Book;

public class BookPresetsTests
{
    [Theory]
    [InlineData("standard", 4200, 1)]
    [InlineData("long", 5800, 3)]
    [InlineData("very-long", 6200, 4)]
    [InlineData("max", 6800, 5)]
    public void Resolve_maps_length_to_min_chars_and_passes(string length, int minChars, int passes)
    {
        var plan = BookPresets.Resolve(length, "medium", null, null);

        Assert.Equal(minChars, plan.MinChars);
        Assert.Equal(passes, plan.ExtensionPasses);
        Assert.Equal(length, plan.Length);
    }

    [Theory]
    [InlineData("medium", 12)]
    [InlineData("long", 24)]
    [InlineData("book", 40)]
    public void Resolve_maps_span_to_chunk_count(string span, int chunks)
    {
        var plan = BookPresets.Resolve("standard", span, null, null);

        Assert.Equal(chunks, plan.Chunks);
        Assert.Equal(span, plan.Span);
    }

    [Fact]
    public void Resolve_applies_overrides_instead_of_presets()
    {
        var plan = BookPresets.Resolve("max", "book", 3, 1000);

        Assert.Equal(new BookPlan(3, 1000, 5, "max", "book"), plan);
    }

    [Fact]
    public void Resolve_accepts_names_in_any_case_and_returns_canonical_names()
    {
        var plan = BookPresets.Resolve("Very-Long", " BOOK ", null, null);

        Assert.Equal("very-long", plan.Length);
        Assert.Equal("book", plan.Span);
        Assert.Equal(40, plan.Chunks);
    }

    [Fact]
    public void Resolve_rejects_unknown_length_listing_valid_names()
    {
        var error = Assert.Throws<ArgumentException>(() => BookPresets.Resolve("huge", "medium", null, null));

        Assert.Contains("huge", error.Message);
        Assert.Contains("standard, long, very-long, max", error.Message);
    }

    [Fact]
    public void Resolve_rejects_unknown_span_listing_valid_names()
    {
        var error = Assert.Throws<ArgumentException>(() => BookPresets.Resolve("long", "epic", null, null));

        Assert.Contains("epic", error.Message);
        Assert.Contains("medium, long, book", error.Message);
    }

    [Theory]
    [InlineData(0, null)]
    [InlineData(-1, null)]
    [InlineData(null, 0)]
    [InlineData(null, -5)]
    public void Resolve_rejects_non_positive_overrides(int? chunks, int? minChars)
    {
        Assert.Throws<ArgumentException>(() => BookPresets.Resolve("long", "long", chunks, minChars));
    }

    [Fact]
    public void Name_lists_are_exposed_in_preset_order()
    {
        Assert.Equal(["standard", "long", "very-long", "max"], BookPresets.LengthNames);
        Assert.Equal(["medium", "long", "book"], BookPresets.SpanNames);
        Assert.Contains(BookPresets.DefaultLength, BookPresets.LengthNames);
        Assert.Contains(BookPresets.DefaultSpan, BookPresets.SpanNames);
    }
}

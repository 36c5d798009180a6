using XSArena.Core.Book;

namespace XSArena.Core.Tests.Book;

public class OutputNameTests
{
    private static readonly char[] Forbidden = ['<', '>', ':', '"', '/', '\\', '|', '?', '*', '\0'];

    [Fact]
    public void FromSubject_replaces_spaces_with_underscores_and_adds_suffix()
    {
        Assert.Equal("Quantum_Computing.final.md", OutputName.FromSubject("Quantum Computing"));
    }

    [Theory]
    [InlineData("../../etc/passwd", "etc_passwd.final.md")]
    [InlineData("a/b\\c", "a_b_c.final.md")]
    [InlineData("..", "book.final.md")]
    [InlineData("   ", "book.final.md")]
    [InlineData("", "book.final.md")]
    [InlineData("...hidden", "hidden.final.md")]
    [InlineData("What? <Why>: \"How\" | *", "What_Why_How.final.md")]
    [InlineData("a..b", "a.b.final.md")]
    public void FromSubject_neutralises_hostile_subjects(string subject, string expected)
    {
        Assert.Equal(expected, OutputName.FromSubject(subject));
    }

    [Theory]
    [InlineData("CON", "_CON.final.md")]
    [InlineData("con", "_con.final.md")]
    [InlineData("nul.txt", "_nul.txt.final.md")]
    [InlineData("Com1", "_Com1.final.md")]
    [InlineData("LPT9.tar.gz", "_LPT9.tar.gz.final.md")]
    [InlineData("AUX ", "_AUX.final.md")]
    public void FromSubject_prefixes_windows_device_names(string subject, string expected)
    {
        Assert.Equal(expected, OutputName.FromSubject(subject));
    }

    [Fact]
    public void FromSubject_keeps_names_that_only_start_like_device_names()
    {
        Assert.Equal("Console_design.final.md", OutputName.FromSubject("Console design"));
        Assert.Equal("COM10.final.md", OutputName.FromSubject("COM10"));
    }

    [Fact]
    public void FromSubject_replaces_nul_and_control_characters()
    {
        var name = OutputName.FromSubject("a\0b\u0001c\nd");

        Assert.Equal("a_b_c_d.final.md", name);
    }

    [Fact]
    public void FromSubject_bounds_long_subjects()
    {
        var name = OutputName.FromSubject(new string('x', 500));

        Assert.Equal(new string('x', OutputName.MaxStemLength) + OutputName.Suffix, name);
    }

    [Fact]
    public void FromSubject_does_not_split_surrogate_pairs_when_bounding()
    {
        var subject = "a" + string.Concat(Enumerable.Repeat("🚀", 200));

        var name = OutputName.FromSubject(subject);
        var stem = name[..^OutputName.Suffix.Length];

        Assert.True(stem.Length <= OutputName.MaxStemLength);
        Assert.Equal(119, stem.Length);
        Assert.All(stem.Skip(1).Chunk(2), pair => Assert.True(char.IsSurrogatePair(pair[0], pair[1])));
    }

    [Fact]
    public void FromSubject_keeps_emoji_and_letters_from_any_script()
    {
        Assert.Equal("Café_🚀_日本.final.md", OutputName.FromSubject("Café 🚀 日本"));
    }

    [Fact]
    public void FromSubject_replaces_lone_surrogates_and_bidi_controls()
    {
        var name = OutputName.FromSubject("ab\uD800cd\u202Eef");

        Assert.Equal("ab_cd_ef.final.md", name);
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("a/b\\c")]
    [InlineData("..\\..\\Windows\\System32")]
    [InlineData(" . . ")]
    [InlineData("\0\0\0")]
    [InlineData("x<>:\"|?*y")]
    public void FromSubject_never_yields_separators_dot_dot_or_reserved_characters(string subject)
    {
        var name = OutputName.FromSubject(subject);

        Assert.Equal(-1, name.IndexOfAny(Forbidden));
        Assert.DoesNotContain("..", name);
        Assert.False(name.StartsWith('.') || name.StartsWith(' '));
        Assert.Equal(name, Path.GetFileName(name));
    }

    [Fact]
    public void DefaultRelativePath_is_in_the_books_folder()
    {
        Assert.Equal("books/My_Subject.final.md", OutputName.DefaultRelativePath("My Subject"));
    }
}

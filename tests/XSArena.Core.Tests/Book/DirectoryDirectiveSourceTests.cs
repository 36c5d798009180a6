using XSArena.Core.Book;

namespace XSArena.Core.Tests.Book;

public sealed class DirectoryDirectiveSourceTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "xsa-directives-" + Guid.NewGuid().ToString("N"));

    public DirectoryDirectiveSourceTests()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "style"));
        Directory.CreateDirectory(Path.Combine(_folder, "base"));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Read_returns_file_text_by_relative_name()
    {
        File.WriteAllText(Path.Combine(_folder, "style", "narrative.md"), "my narrative");

        var source = new DirectoryDirectiveSource(_folder);

        Assert.Equal("my narrative", source.Read("style/narrative.md"));
    }

    [Fact]
    public void Read_of_missing_file_is_null()
    {
        Assert.Null(new DirectoryDirectiveSource(_folder).Read("style/compressed.md"));
    }

    [Fact]
    public void Read_refuses_names_that_leave_the_folder()
    {
        var source = new DirectoryDirectiveSource(_folder);

        Assert.Throws<ArgumentException>(() => source.Read("../outside.md"));
    }

    [Fact]
    public void Compose_with_directory_source_uses_the_override_file()
    {
        File.WriteAllText(Path.Combine(_folder, "base", "zero2hero.md"), "Brief for {subject}.");

        var prompt = SystemPrompt.Compose(new SystemPromptInput("Knots") { Directives = new DirectoryDirectiveSource(_folder) });

        Assert.StartsWith("SUBJECT: Knots\n\nBrief for Knots.", prompt);
    }
}

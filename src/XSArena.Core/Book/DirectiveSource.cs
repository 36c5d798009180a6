namespace XSArena.Core.Book;

/// <summary>Where user-supplied prompt texts come from; returns null when a text is not overridden.</summary>
public interface IDirectiveSource
{
    /// <summary>The text stored under a relative name such as <c>style/no_bs.md</c>, or null.</summary>
    string? Read(string relativePath);
}

/// <summary>Relative names of the texts a directives folder can override.</summary>
public static class DirectiveNames
{
    public const string Base = "base/zero2hero.md";

    public static string Overlay(string overlay) => $"style/{overlay}.md";
}

/// <summary>Reads directive overrides from a folder (normally <c>&lt;root&gt;/directives</c>); a missing file
/// means "use the built-in text".</summary>
public sealed class DirectoryDirectiveSource(string directivesFolder) : IDirectiveSource
{
    public string Folder { get; } = Path.GetFullPath(directivesFolder);

    public string? Read(string relativePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(relativePath);

        var path = Path.GetFullPath(Path.Combine(Folder, relativePath.Replace('/', Path.DirectorySeparatorChar)));
        var inside = path.StartsWith(Path.TrimEndingDirectorySeparator(Folder) + Path.DirectorySeparatorChar, StringComparison.Ordinal);
        if (!inside || Path.IsPathRooted(relativePath))
        {
            throw new ArgumentException($"Directive name '{relativePath}' must stay inside the directives folder.", nameof(relativePath));
        }

        return File.Exists(path) ? File.ReadAllText(path) : null;
    }
}

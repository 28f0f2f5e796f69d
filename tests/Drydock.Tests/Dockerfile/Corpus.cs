using System.Text;

namespace Drydock.Tests.Dockerfile;

/// <summary>
/// Finds BuildKit's test vectors (tests/corpus/buildkit) by walking up from the test binaries to
/// the repository root, and reads them byte-exact (no BOM or line-ending fixes).
/// </summary>
internal static class Corpus
{
    private static readonly Lazy<string> RootPath = new(Locate);

    public static string Root => RootPath.Value;

    public static string ParserDir => Path.Combine(Root, "buildkit-parser");

    public static string ShellDir => Path.Combine(Root, "buildkit-shell");

    public static string ReadText(string path) => new UTF8Encoding(false).GetString(File.ReadAllBytes(path));

    public static IEnumerable<string> CaseNames(string folder) =>
        Directory.GetDirectories(Path.Combine(ParserDir, folder))
            .Select(Path.GetFileName)
            .OfType<string>()
            .Order(StringComparer.Ordinal);

    /// <summary>Lines split on LF with one CR before it removed; nothing else is trimmed.</summary>
    public static IEnumerable<(int Number, string Text)> ReadLines(string path)
    {
        var text = ReadText(path);
        var lines = text.Split('\n');
        var count = text.EndsWith('\n') ? lines.Length - 1 : lines.Length;
        for (var i = 0; i < count; i++)
        {
            var line = lines[i];
            yield return (i + 1, line.EndsWith('\r') ? line[..^1] : line);
        }
    }

    private static string Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "corpus", "buildkit");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new DirectoryNotFoundException(
            $"tests/corpus/buildkit not found above {AppContext.BaseDirectory}; the conformance corpus is missing");
    }
}

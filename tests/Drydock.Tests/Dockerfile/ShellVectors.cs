namespace Drydock.Tests.Dockerfile;

/// <summary>Reads envVarTest and wordsTest with exactly the trimming rules the Go tests apply.</summary>
internal static class ShellVectors
{
    public sealed record EnvVarVector(int Line, string Platform, string Input, string Expected);

    public sealed record WordsVector(int Line, string Input, string Expected, IReadOnlyList<string> Environment);

    public static List<EnvVarVector> EnvVar()
    {
        var result = new List<EnvVarVector>();
        foreach (var (number, raw) in Corpus.ReadLines(Path.Combine(Corpus.ShellDir, "envVarTest")))
        {
            if (raw.StartsWith('#'))
            {
                continue;
            }
            var line = raw.Trim();
            if (line.Length == 0)
            {
                continue;
            }
            var columns = line.Split('|');
            if (columns.Length != 3)
            {
                throw new FormatException($"envVarTest:{number}: expected 3 columns");
            }
            var platform = columns[0].Trim();
            if (platform is not ("A" or "U" or "W"))
            {
                throw new FormatException($"envVarTest:{number}: unknown platform {platform}");
            }
            result.Add(new EnvVarVector(number, platform, columns[1].Trim(), columns[2].Trim()));
        }
        return result;
    }

    public static List<WordsVector> Words()
    {
        var result = new List<WordsVector>();
        var environment = new List<string>();
        foreach (var (number, line) in Corpus.ReadLines(Path.Combine(Corpus.ShellDir, "wordsTest")))
        {
            if (line.StartsWith('#'))
            {
                continue;
            }
            if (line.StartsWith("ENV ", StringComparison.Ordinal))
            {
                // Leading spaces only are removed; the value keeps its trailing spaces.
                environment.Add(line[3..].TrimStart(' '));
                continue;
            }
            var columns = line.Split('|');
            if (columns.Length != 2)
            {
                throw new FormatException($"wordsTest:{number}: expected exactly one '|'");
            }
            result.Add(new WordsVector(number, columns[0].Trim(), columns[1].TrimStart(' '), [.. environment]));
        }
        return result;
    }
}

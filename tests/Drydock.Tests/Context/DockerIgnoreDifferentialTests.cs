using System.Text;
using System.Text.RegularExpressions;
using Drydock.Context;

namespace Drydock.Tests.Context;

/// <summary>
/// Checks the matcher against an independent model of how Docker's patternmatcher decides: each
/// pattern turned into a regular expression (or an exact / prefix / suffix test) following its
/// documented translation, and the "last match wins, parents count" loop. Random patterns and
/// paths from a small alphabet hit the corners ("**" placement, classes, escapes) far more often
/// than hand-written cases do.
/// </summary>
public sealed class DockerIgnoreDifferentialTests
{
    private static readonly string[] PatternPieces =
        ["a", "b", "ab", "*", "a*", "*b", "?", "a?", "[ab]", "[^a]", "[a-b]x", "**", "a**", "**b", "\\*", "x.y", "a+"];

    private static readonly string[] PathPieces = ["a", "b", "ab", "ba", "bx", "*", "x.y", "a+", "aab", ".a"];

    [Fact]
    public void Single_patterns_agree_with_the_model()
    {
        var random = new Random(20240611);
        for (var round = 0; round < 3000; round++)
        {
            var pattern = RandomPattern(random);
            var ignore = DockerIgnore.FromPatterns([pattern]);
            for (var p = 0; p < 10; p++)
            {
                var path = RandomPath(random);
                Assert.True(
                    ModelExcluded([pattern], path) == ignore.IsExcluded(path),
                    $"pattern \"{pattern}\" on path \"{path}\": model says {ModelExcluded([pattern], path)}");
            }
        }
    }

    [Fact]
    public void Pattern_lists_with_exceptions_agree_with_the_model()
    {
        var random = new Random(7);
        for (var round = 0; round < 2000; round++)
        {
            var patterns = Enumerable.Range(0, random.Next(2, 5))
                .Select(_ => (random.Next(3) == 0 ? "!" : "") + RandomPattern(random))
                .ToArray();
            var ignore = DockerIgnore.FromPatterns(patterns);
            for (var p = 0; p < 10; p++)
            {
                var path = RandomPath(random);
                var expected = ModelExcluded(patterns, path);
                Assert.True(
                    expected == ignore.IsExcluded(path),
                    $"patterns [{string.Join(", ", patterns)}] on path \"{path}\": model says {expected}");

                // Whenever a path is included below an excluded directory, the walker must have
                // been told to look inside that directory.
                var parent = GoPath.Parent(path);
                if (!expected && parent is not null && ModelExcluded(patterns, parent))
                {
                    Assert.True(ignore.MayIncludeBelow(parent), $"[{string.Join(", ", patterns)}] must walk into \"{parent}\" for \"{path}\"");
                }
            }
        }
    }

    private static string RandomPattern(Random random) =>
        string.Join('/', Enumerable.Range(0, random.Next(1, 4)).Select(_ => PatternPieces[random.Next(PatternPieces.Length)]));

    private static string RandomPath(Random random) =>
        string.Join('/', Enumerable.Range(0, random.Next(1, 5)).Select(_ => PathPieces[random.Next(PathPieces.Length)]));

    // Docker's MatchesOrParentMatches loop.
    private static bool ModelExcluded(string[] patterns, string path)
    {
        var parents = new List<string>();
        for (var slash = path.IndexOf('/'); slash >= 0; slash = path.IndexOf('/', slash + 1))
        {
            parents.Add(path[..slash]);
        }

        var matched = false;
        foreach (var entry in patterns)
        {
            var exclusion = entry.StartsWith('!');
            var pattern = exclusion ? entry[1..] : entry;
            if (exclusion != matched)
            {
                continue;
            }

            var match = ModelMatch(pattern, path) || parents.Any(p => ModelMatch(pattern, p));
            if (match)
            {
                matched = !exclusion;
            }
        }

        return matched;
    }

    private enum Kind
    {
        Exact,
        Prefix,
        Suffix,
        Regex,
    }

    // The documented translation: '*' is "[^/]*", '?' is "[^/]", "**/" and inner "**" are
    // "(.*/)?", a final "**" is ".*" (or a prefix test), a leading "**" before plain text a
    // suffix test, '\' escapes, '[' and ']' pass through, and ".+()|{}$" are quoted.
    private static bool ModelMatch(string pattern, string path)
    {
        var regex = new StringBuilder("^");
        var kind = Kind.Exact;
        var i = 0;
        for (var step = 0; i < pattern.Length; step++)
        {
            var c = pattern[i++];
            if (c == '*' && i < pattern.Length && pattern[i] == '*')
            {
                i++;
                if (i < pattern.Length && pattern[i] == '/')
                {
                    i++;
                }

                if (i == pattern.Length)
                {
                    if (kind == Kind.Exact)
                    {
                        kind = Kind.Prefix;
                    }
                    else
                    {
                        regex.Append(".*");
                        kind = Kind.Regex;
                    }
                }
                else
                {
                    regex.Append("(.*/)?");
                    kind = Kind.Regex;
                }

                if (step == 0)
                {
                    kind = Kind.Suffix;
                }
            }
            else if (c == '*')
            {
                regex.Append("[^/]*");
                kind = Kind.Regex;
            }
            else if (c == '?')
            {
                regex.Append("[^/]");
                kind = Kind.Regex;
            }
            else if (".+()|{}$".Contains(c))
            {
                regex.Append('\\').Append(c);
            }
            else if (c == '\\')
            {
                regex.Append('\\').Append(pattern[i++]);
                kind = Kind.Regex;
            }
            else if (c is '[' or ']')
            {
                regex.Append(c);
                kind = Kind.Regex;
            }
            else
            {
                regex.Append(c);
            }
        }

        return kind switch
        {
            Kind.Exact => path == pattern,
            Kind.Prefix => path.StartsWith(pattern[..^2], StringComparison.Ordinal),
            Kind.Suffix => path.EndsWith(pattern[2..], StringComparison.Ordinal)
                || (pattern.Length > 2 && pattern[2] == '/' && path == pattern[3..]),
            _ => Regex.IsMatch(path, regex.Append('$').ToString(), RegexOptions.CultureInvariant),
        };
    }
}

using Drydock.Context;

namespace Drydock.Tests.Context;

public sealed class DockerIgnoreTests
{
    public static TheoryData<string, string, bool> DocumentedExamples => new()
    {
        // Docker's documented .dockerignore examples.
        { "*/temp*", "somedir/temporary.txt", true },
        { "*/temp*", "somedir/temp", true },
        { "*/temp*", "somedir/temp/inner.txt", true },
        { "*/temp*", "temp.txt", false },
        { "*/temp*", "a/b/temp", false },
        { "*/*/temp*", "somedir/subdir/temporary.txt", true },
        { "*/*/temp*", "somedir/temporary.txt", false },
        { "temp?", "tempa", true },
        { "temp?", "tempb", true },
        { "temp?", "temp", false },
        { "temp?", "tempab", false },
        { "temp?", "dir/tempa", false },
        { "**/*.go", "main.go", true },
        { "**/*.go", "a/b/c.go", true },
        { "**/*.go", "a/b/go", false },
        { "*.md\n!README.md", "README.md", false },
        { "*.md\n!README.md", "CHANGES.md", true },
        { "*.md\n!README*.md\nREADME-secret.md", "README-secret.md", true },
        { "*.md\n!README*.md\nREADME-secret.md", "README-public.md", false },
        { "*.md\n!README*.md\nREADME-secret.md", "notes.md", true },
        { "*.md\nREADME-secret.md\n!README*.md", "README-secret.md", false },
        { "/foo/bar", "foo/bar", true },
        { "foo/bar", "foo/bar", true },
        { "foo/bar", "bar", false },
        { "foo/bar", "foo", false },

        // Character classes: ranges, '^' negation, '!' as an ordinary member.
        { "[a-c]", "a", true },
        { "[a-c]", "c", true },
        { "[a-c]", "d", false },
        { "[a-c]x", "bx", true },
        { "[^a-c]x", "dx", true },
        { "[^a-c]x", "ax", false },
        { "[!a]", "!", true },
        { "[!a]", "b", false },
        { "file[0-9].txt", "file7.txt", true },
        { "file[0-9].txt", "filex.txt", false },

        // Escapes make the next character literal.
        { "\\*", "*", true },
        { "\\*", "a", false },
        { "a\\?b", "a?b", true },
        { "a\\?b", "axb", false },
        { "\\[x\\]", "[x]", true },
        { "\\[x\\]", "x", false },
        { "\\#notes", "#notes", true },

        // Cleaning: leading '/', './', trailing '/', '..' inside the pattern.
        { "./foo", "foo", true },
        { "foo/", "foo/x", true },
        { "/foo/../bar", "bar", true },
        { "foo//bar", "foo/bar", true },
        { "../foo", "foo", false },

        // A pattern matching a directory excludes all below it.
        { "node_modules", "node_modules/a/b.js", true },
        { "**/node_modules", "web/node_modules/x/y.js", true },
        { "build", "build", true },
        { "build", "builder", false },

        // '**' forms.
        { "**", "anything/at/all", true },
        { "a/**", "a/x/y", true },
        { "a/**", "a", false },
        { "a/**/b", "a/b", true },
        { "a/**/b", "a/x/y/b", true },
        { "**.log", "x/y.log", true }, // patternmatcher's suffix shortcut for "**" + plain text
        { "**.log", "debug.log", true },
        { "**foo", "barfoo", true },
        { "**/foo", "foo", true },
        { "**/foo", "afoo", false },

        // Allowlist style: exclude everything, re-include what is needed.
        { "*\n!src\n!package.json", "src/app/index.js", false },
        { "*\n!src\n!package.json", "package.json", false },
        { "*\n!src\n!package.json", "other.txt", true },
        { "*\n!src\n!package.json", "docs/a.md", true },

        // An excluded directory with a re-included child.
        { "build\n!build/keep.txt", "build/keep.txt", false },
        { "build\n!build/keep.txt", "build/other.txt", true },
        { "build\n!build/keep.txt", "build", true },
        { "build\n!build/keep", "build/keep/deep/file", false },
        { "vendor\n!vendor/**/*.py", "vendor/lib/x.py", false },
        { "vendor\n!vendor/**/*.py", "vendor/lib/x.c", true },
    };

    [Theory]
    [MemberData(nameof(DocumentedExamples))]
    public void Follows_docker_rules(string ignoreFile, string path, bool excluded) =>
        Assert.Equal(excluded, DockerIgnore.Parse(ignoreFile).IsExcluded(path));

    [Fact]
    public void The_root_is_never_excluded()
    {
        var ignore = DockerIgnore.Parse("*\n**\n.");
        Assert.False(ignore.IsExcluded("."));
        Assert.False(ignore.IsExcluded(""));
        Assert.False(ignore.IsExcluded("/"));
    }

    [Fact]
    public void Comments_only_in_column_one_blank_lines_skipped_and_lines_trimmed()
    {
        var ignore = DockerIgnore.Parse("# a comment\n\n   \n  spaced.txt  \t\n  # not a comment\n");
        Assert.Equal(["spaced.txt", "# not a comment"], ignore.Patterns.Select(p => p.ToString()));
        Assert.True(ignore.IsExcluded("spaced.txt"));
        Assert.True(ignore.IsExcluded("# not a comment"));
        Assert.False(ignore.IsExcluded("# a comment"));
    }

    [Fact]
    public void Byte_order_mark_and_crlf_line_ends_are_dropped()
    {
        var ignore = DockerIgnore.Parse("\uFEFFfirst\r\nsecond\r\n");
        Assert.Equal(["first", "second"], ignore.Patterns.Select(p => p.Text));
    }

    [Theory]
    [InlineData("! keep.txt", "keep.txt")]
    [InlineData("!/keep.txt", "keep.txt")]
    [InlineData("!./a/../keep.txt/", "keep.txt")]
    public void Exception_text_is_trimmed_and_cleaned(string line, string expected)
    {
        var pattern = Assert.Single(DockerIgnore.Parse(line).Patterns);
        Assert.True(pattern.IsException);
        Assert.Equal(expected, pattern.Text);
    }

    [Theory]
    [InlineData("!")]
    [InlineData("  !  ")]
    [InlineData("!/")]
    public void A_bare_exclamation_mark_is_an_error(string line)
    {
        var e = Assert.Throws<BuildContextException>(() => DockerIgnore.Parse("ok\n" + line, "ctx/.dockerignore"));
        Assert.Contains("ctx/.dockerignore:2", e.Message);
        Assert.Contains("illegal exclusion pattern", e.Message);
    }

    [Theory]
    [InlineData("src/[a-", "not closed")]
    [InlineData("trailing\\", "escapes nothing")]
    [InlineData("[]", "empty")]
    [InlineData("[z-a]", "backwards")]
    public void A_bad_pattern_names_its_file_and_line(string line, string reason)
    {
        var e = Assert.Throws<BuildContextException>(() => DockerIgnore.Parse("# header\n*.tmp\n" + line, "/w/.dockerignore"));
        Assert.Contains("/w/.dockerignore:3", e.Message);
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void Deciding_pattern_is_the_last_match_with_its_line()
    {
        var ignore = DockerIgnore.Parse("*.md\n!README*.md\nREADME-secret.md\n");
        Assert.Equal(3, ignore.DecidingPattern("README-secret.md")!.Line);
        var readme = ignore.DecidingPattern("README.md")!;
        Assert.True(readme.IsException);
        Assert.Equal(2, readme.Line);
        Assert.Null(ignore.DecidingPattern("main.go"));
    }

    [Theory]
    [InlineData("build\n!build/keep.txt", "build", true)]
    [InlineData("build\n!build/keep.txt", "other", false)]
    [InlineData("build", "build", false)]
    [InlineData("*\n!*/keep", "anydir", true)]
    [InlineData("*\n!*/keep", "a/b", false)]
    [InlineData("vendor\n!**/*.py", "vendor/deep", true)]
    [InlineData("*\n!**.py", "dir", true)]
    public void Knows_when_an_excluded_directory_must_still_be_walked(string ignoreFile, string directory, bool walk) =>
        Assert.Equal(walk, DockerIgnore.Parse(ignoreFile).MayIncludeBelow(directory));

    [Fact]
    public void Walk_state_agrees_with_the_stateless_answer()
    {
        var ignore = DockerIgnore.Parse("a/b\n!a\n*/c\n!**/keep\nx*");
        string[] paths = ["a", "a/b", "a/b/c", "a/b/keep", "q/c", "q/c/d", "q/c/keep/e", "xy", "xy/keep"];
        foreach (var path in paths)
        {
            var parent = GoPath.Parent(path);
            var parentState = parent is null ? ignore.StateOf(".") : ignore.StateOf(parent);
            Assert.Equal(ignore.IsExcluded(path), ignore.Evaluate(path, parentState).IsExcluded);
        }
    }

    [Fact]
    public void From_patterns_reads_each_entry_as_a_line()
    {
        var ignore = DockerIgnore.FromPatterns(["*.tmp", "!keep.tmp", "  ", "/abs"]);
        Assert.True(ignore.IsExcluded("x.tmp"));
        Assert.False(ignore.IsExcluded("keep.tmp"));
        Assert.True(ignore.IsExcluded("abs"));
        Assert.True(ignore.HasExceptions);
    }
}

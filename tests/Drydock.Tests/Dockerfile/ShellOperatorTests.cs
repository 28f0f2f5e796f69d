using Drydock.Dockerfile;
using Drydock.Dockerfile.Shell;

namespace Drydock.Tests.Dockerfile;

/// <summary>Pattern removal and replacement (BuildKit's inline lexer tests, README §4.3).</summary>
public sealed class ShellOperatorTests
{
    private static readonly IReadOnlyDictionary<string, string> Env = new Dictionary<string, string>
    {
        ["FILE"] = "archive.tar.gz",
        ["PATHS"] = "/usr/local/bin:/usr/bin:/bin",
        ["STAR"] = "*abc",
        ["REGEX"] = "a.b(c)",
        ["EXT"] = ".gz",
        ["SLASHES"] = "aaa/bbb/aaa",
        ["EMOJI"] = "\U0001F600b",
        ["ARG"] = "x",
        ["EMPTY"] = "",
    };

    private static string Expand(string word) => new ShellLexer().ProcessWord(word, Env);

    [Theory]
    [InlineData("${FILE#*.}", "tar.gz")]
    [InlineData("${FILE##*.}", "gz")]
    [InlineData("${FILE%.*}", "archive.tar")]
    [InlineData("${FILE%%.*}", "archive")]
    [InlineData("${FILE#arch?ve}", ".tar.gz")]
    [InlineData("${FILE#nomatch}", "archive.tar.gz")]
    [InlineData("${PATHS%%:*}", "/usr/local/bin")]
    [InlineData("${PATHS##*:}", "/bin")]
    [InlineData("${FILE%$EXT}", "archive.tar")]
    [InlineData("${STAR#\\*}", "abc")]
    [InlineData("${STAR#\\**}", "abc")]
    [InlineData("${STAR##\\**}", "")]
    [InlineData("${REGEX#a.b}", "(c)")]
    [InlineData("${REGEX%(c)}", "a.b")]
    [InlineData("${FILE#a.b}", "archive.tar.gz")]
    [InlineData("${EMOJI#?}", "b")]
    [InlineData("${EMOJI%?}", "\U0001F600")]
    [InlineData("${UNSET#a}", "")]
    public void Pattern_removal(string word, string expected)
    {
        Assert.Equal(expected, Expand(word));
    }

    [Theory]
    [InlineData("${FILE#\\x}")]
    [InlineData("${FILE:#a}")]
    [InlineData("${FILE:%a}")]
    [InlineData("${FILE#a")]
    public void Pattern_removal_errors(string word)
    {
        Assert.Throws<DockerfileException>(() => Expand(word));
    }

    [Theory]
    [InlineData("${SLASHES/aaa/z}", "z/bbb/aaa")]
    [InlineData("${SLASHES//aaa/z}", "z/bbb/z")]
    [InlineData("${SLASHES//\\//-}", "aaa-bbb-aaa")]
    [InlineData("${SLASHES//a/}", "/bbb/")]
    [InlineData("${SLASHES/b*/x}", "aaa/x")]
    [InlineData("${SLASHES//?aa/x}", "x/bbbxa")]
    [InlineData("${SLASHES/$ARG/y}", "aaa/bbb/aaa")]
    [InlineData("${FILE//./$ARG}", "archivextarxgz")]
    [InlineData("${SLASHES///}", "aaa/bbb/aaa")]
    [InlineData("${FILE//*/y}", "y")]
    [InlineData("${EMPTY//*/y}", "y")]
    [InlineData("${UNSET/a/b}", "")]
    public void Replacement(string word, string expected)
    {
        Assert.Equal(expected, Expand(word));
    }

    [Theory]
    [InlineData("${SLASHES//ww}")]
    [InlineData("${SLASHES//}")]
    [InlineData("${SLASHES/a")]
    public void Replacement_errors(string word)
    {
        Assert.Throws<DockerfileException>(() => Expand(word));
    }

    [Theory]
    [InlineData("${UNSET?message here$ARG}", "UNSET: message herex")]
    [InlineData("${UNSET:?}", "UNSET: is not allowed to be unset")]
    [InlineData("${EMPTY:?}", "EMPTY: is not allowed to be empty")]
    [InlineData("${EMPTY:?must be set}", "EMPTY: must be set")]
    public void Required_variable_errors_carry_their_message(string word, string message)
    {
        var e = Assert.Throws<DockerfileException>(() => Expand(word));

        Assert.Equal($"failed to process {Quote(word)}: {message}", e.Message);
    }

    [Fact]
    public void Set_but_empty_passes_the_plain_question_mark()
    {
        Assert.Equal("", Expand("${EMPTY?}"));
    }

    [Fact]
    public void Matched_and_unmatched_names_are_reported()
    {
        var result = new ShellLexer().Expand("$FILE ${NOPE:-x} ${ARG#y} $1", Env);

        Assert.Equal(["ARG", "FILE"], result.Matched.Order());
        Assert.Equal(["1", "NOPE"], result.Unmatched.Order());
    }

    [Fact]
    public void Environment_from_entries_keeps_the_last_value_and_bare_names()
    {
        var env = ShellEnvironment.FromEntries(["A=1", "B", "A=2=3"]);

        Assert.Equal("2=3", env["A"]);
        Assert.Equal("", env["B"]);
        Assert.Equal("2=3|", new ShellLexer().ProcessWord("$A|${B?}", env));
    }

    [Fact]
    public void Skip_unset_leaves_references_to_unset_variables_alone()
    {
        var lexer = new ShellLexer { SkipUnsetEnv = true };

        Assert.Equal("x ${NOPE} $NOPE ${NOPE:-d} ${NOPE/a/b}", lexer.ProcessWord("$ARG ${NOPE} $NOPE ${NOPE:-d} ${NOPE/a/b}", Env));
    }

    [Fact]
    public void Skip_process_quotes_leaves_quotes_in_place()
    {
        var lexer = new ShellLexer { SkipProcessQuotes = true };

        Assert.Equal("'x' \"x\"", lexer.ProcessWord("'$ARG' \"$ARG\"", Env));
    }

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}

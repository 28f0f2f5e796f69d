using Drydock.Dockerfile;

namespace Drydock.Tests.Dockerfile;

/// <summary>BuildKit's parser vectors: every positive case dumps to its result, every negative case fails.</summary>
public sealed class ParserCorpusTests
{
    public static TheoryData<string> PositiveCases() => new(Corpus.CaseNames("testfiles"));

    public static TheoryData<string> NegativeCases() => new(Corpus.CaseNames("testfiles-negative"));

    [Theory]
    [MemberData(nameof(PositiveCases))]
    public void Positive_case_dumps_to_expected_result(string name)
    {
        var dir = Path.Combine(Corpus.ParserDir, "testfiles", name);
        var expected = Corpus.ReadText(Path.Combine(dir, "result")).Replace("\r\n", "\n", StringComparison.Ordinal);

        var ast = DockerfileParser.ParseAst(Corpus.ReadText(Path.Combine(dir, "Dockerfile")));

        Assert.Equal(expected, ast.Dump() + "\n");
    }

    [Theory]
    [MemberData(nameof(NegativeCases))]
    public void Negative_case_fails_to_parse(string name)
    {
        var text = Corpus.ReadText(Path.Combine(Corpus.ParserDir, "testfiles-negative", name, "Dockerfile"));

        Assert.Throws<DockerfileException>(() => DockerfileParser.ParseAst(text));
    }

    [Fact]
    public void Line_numbers_match_testfile_line()
    {
        var ast = DockerfileParser.ParseAst(Corpus.ReadText(Path.Combine(Corpus.ParserDir, "testfile-line", "Dockerfile")));

        Assert.Equal((5, 31), (ast.StartLine, ast.EndLine));
        Assert.Equal(
            [(5, 5), (11, 12), (17, 31)],
            ast.Children.Select(n => (n.StartLine, n.EndLine)));
    }
}

namespace Drydock.Tests.Dockerfile;

/// <summary>A missing or truncated corpus must fail loudly, not shrink the theories silently.</summary>
public sealed class CorpusCountTests
{
    [Fact]
    public void Corpus_holds_at_least_the_documented_vectors()
    {
        Assert.True(Corpus.CaseNames("testfiles").Count() >= 33, "positive parser cases");
        Assert.True(Corpus.CaseNames("testfiles-negative").Count() >= 4, "negative parser cases");
        Assert.True(File.Exists(Path.Combine(Corpus.ParserDir, "testfile-line", "Dockerfile")), "testfile-line");
        Assert.True(ShellVectors.EnvVar().Count >= 230, "envVarTest vectors");
        Assert.True(ShellVectors.Words().Count >= 24, "wordsTest vectors");
    }
}

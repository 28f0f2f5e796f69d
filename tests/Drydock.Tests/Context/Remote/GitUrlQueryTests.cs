using Drydock.Context.Remote;

namespace Drydock.Tests.Context.Remote;

/// <summary>The query of a git URL, with the rules of BuildKit's dfgitutil (loadQuery) and Go's url.ParseQuery.</summary>
public sealed class GitUrlQueryTests
{
    [Fact]
    public void Every_key_is_read()
    {
        var query = GitUrlQuery.Parse("ref=pull/42/head&subdir=docs&checksum=abc123&keep-git-dir=true&submodules=false");

        Assert.Equal(new GitUrlQuery("pull/42/head", "", "", "docs", "abc123", true, false), query);
    }

    [Theory]
    [InlineData("tag=v1", "refs/tags/v1", "")]
    [InlineData("tag=refs/tags/v1", "refs/tags/v1", "")]
    [InlineData("branch=main", "", "refs/heads/main")]
    [InlineData("branch=refs/heads/main", "", "refs/heads/main")]
    public void Tags_and_branches_get_their_full_ref_names(string text, string tag, string branch)
    {
        var query = GitUrlQuery.Parse(text);

        Assert.Equal((tag, branch), (query.Tag, query.Branch));
    }

    [Theory]
    [InlineData("commit=abc123")]
    [InlineData("checksum=abc123&commit=abc123")]
    public void Commit_is_another_name_for_checksum(string text) =>
        Assert.Equal("abc123", GitUrlQuery.Parse(text).Checksum);

    [Theory]
    [InlineData("keep-git-dir", true)]
    [InlineData("keep-git-dir=", true)]
    [InlineData("keep-git-dir=1", true)]
    [InlineData("keep-git-dir=True", true)]
    [InlineData("keep-git-dir=t", true)]
    [InlineData("keep-git-dir=FALSE", false)]
    [InlineData("keep-git-dir=0", false)]
    public void The_booleans_read_as_Go_reads_them_and_alone_mean_true(string text, bool expected) =>
        Assert.Equal(expected, GitUrlQuery.Parse(text).KeepGitDir);

    [Theory]
    [InlineData("subdir=a%2Fb+c", "a/b c")]
    [InlineData("subdir=caf%C3%A9", "café")]
    [InlineData("subdir=100%25", "100%")]
    [InlineData("subdir=a%2Bb", "a+b")]
    [InlineData("&&subdir=x&", "x")]
    [InlineData("sub%64ir=x", "x")]
    public void Keys_and_values_are_unescaped_as_in_a_form(string text, string subdir) =>
        Assert.Equal(subdir, GitUrlQuery.Parse(text).Subdir);

    [Theory]
    [InlineData("depth=1", "unexpected query key \"depth\"")]
    [InlineData("REF=main", "unexpected query key \"REF\"")]
    [InlineData("ref=", "query key \"ref\" has no value")]
    [InlineData("subdir", "query key \"subdir\" has no value")]
    [InlineData("ref=a&ref=b", "query key \"ref\" is given more than once")]
    [InlineData("ref=a&ref=a", "query key \"ref\" is given more than once")]
    [InlineData("checksum=abc&commit=def", "checksum conflicts: \"abc\" vs \"def\"")]
    [InlineData("submodules=no", "invalid submodules value \"no\"")]
    [InlineData("ref=a;subdir=b", "separate query keys with '&'")]
    [InlineData("subdir=100%", "invalid escape at \"%\"")]
    [InlineData("subdir=%zz", "invalid escape at \"%zz\"")]
    public void What_BuildKit_refuses_is_refused_with_the_reason(string text, string expected)
    {
        var error = Assert.Throws<FormatException>(() => GitUrlQuery.Parse(text));

        Assert.Contains(expected, error.Message);
    }
}

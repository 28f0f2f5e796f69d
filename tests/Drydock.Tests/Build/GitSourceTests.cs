using Drydock.Build;

namespace Drydock.Tests.Build;

public sealed class GitSourceTests
{
    [Theory]
    [InlineData("https://github.com/moby/buildkit.git", "https://github.com/moby/buildkit.git", "", "")]
    [InlineData("https://github.com/moby/buildkit.git#v0.10.1", "https://github.com/moby/buildkit.git", "v0.10.1", "")]
    [InlineData("https://github.com/moby/buildkit.git#v0.10.1:docs/sub", "https://github.com/moby/buildkit.git", "v0.10.1", "docs/sub")]
    [InlineData("git@github.com:moby/buildkit.git#main:docs", "git@github.com:moby/buildkit.git", "main", "docs")]
    [InlineData("git://127.0.0.1:9418/repo.git#:sub", "git://127.0.0.1:9418/repo.git", "", "sub")]
    [InlineData("ssh://git@host/repo.git#refs/pull/1/head", "ssh://git@host/repo.git", "refs/pull/1/head", "")]
    public void The_fragment_names_the_ref_and_the_subdirectory_as_in_BuildKit(string text, string remote, string reference, string subdir) =>
        Assert.Equal(new GitSource(remote, reference, subdir), GitSource.Parse(text));

    [Theory]
    [InlineData("", true)]
    [InlineData("/", true)]
    [InlineData("./", true)]
    [InlineData("docs", false)]
    public void Only_a_subdirectory_that_names_something_below_the_root_is_one(string subdir, bool whole) =>
        Assert.Equal(whole, new GitSource("git://h/r.git", "", subdir).IsWholeRepository);

    [Fact]
    public void Credentials_are_never_shown()
    {
        var source = GitSource.Parse("https://user:hunter2@example.com/repo.git#main:sub");

        Assert.Equal("https://user:hunter2@example.com/repo.git", source.Remote);
        Assert.Equal("https://example.com/repo.git#main:sub", source.ToString());
    }

    [Fact]
    public void A_ref_that_git_would_read_as_an_option_is_refused() =>
        Assert.Throws<FormatException>(() => GitSource.Parse("git://h/r.git#--upload-pack=touch /x"));

    [Theory]
    [InlineData("a95996ead02e5ed1eb3e6017b04a950026e58472", true)]
    [InlineData("a95996ead02e5ed1eb3e6017b04a950026e58472a95996ead02e5ed1eb3e6017", true)]
    [InlineData("a95996e", false)]
    [InlineData("A95996EAD02E5ED1EB3E6017B04A950026E58472", false)]
    public void Only_a_whole_lowercase_hash_is_a_commit(string reference, bool expected) =>
        Assert.Equal(expected, GitSource.IsCommitHash(reference));
}

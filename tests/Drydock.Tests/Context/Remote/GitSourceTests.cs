using Drydock.Context.Remote;

namespace Drydock.Tests.Context.Remote;

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
    [InlineData("https://h/r.git?ref=v1.0&subdir=docs", "https://h/r.git", "v1.0", "docs")]
    [InlineData("https://h/r.git?ref=pull/42/head", "https://h/r.git", "pull/42/head", "")]
    [InlineData("https://h/r.git?tag=v1.0", "https://h/r.git", "refs/tags/v1.0", "")]
    [InlineData("https://h/r.git?branch=main&subdir=/sub", "https://h/r.git", "refs/heads/main", "/sub")]
    [InlineData("git@github.com:moby/buildkit.git?subdir=/subdir#v1.0.0", "git@github.com:moby/buildkit.git", "v1.0.0", "/subdir")]
    [InlineData("https://h/r.git?subdir=docs#v1", "https://h/r.git", "v1", "docs")]
    [InlineData("https://h/r.git?ref=v1#v1:docs", "https://h/r.git", "v1", "docs")]
    [InlineData("https://h/r.git?tag=v1#refs/tags/v1", "https://h/r.git", "refs/tags/v1", "")]
    [InlineData("git://h/r.git#main?subdir=x", "git://h/r.git", "main?subdir=x", "")]
    public void The_query_names_the_ref_and_the_subdirectory_and_may_go_with_a_fragment_that_agrees(string text, string remote, string reference, string subdir) =>
        Assert.Equal(new GitSource(remote, reference, subdir), GitSource.Parse(text));

    [Fact]
    public void The_query_options_are_kept_and_left_out_of_the_remote_git_fetches()
    {
        var source = GitSource.Parse("https://user:hunter2@h/r.git?commit=ABC123&keep-git-dir&submodules=false");

        Assert.Equal("https://user:hunter2@h/r.git", source.Remote);
        Assert.Equal(("abc123", true, false), (source.Checksum, source.KeepGitDir, source.Submodules));
        Assert.True(GitSource.Parse("git://h/r.git").Submodules);
    }

    [Theory]
    [InlineData("https://h/r.git?ref=v1.0.0#v1.2.3", "ref conflicts: \"v1.2.3\" vs \"v1.0.0\"")]
    [InlineData("https://h/r.git?ref=v1.0.0&tag=v1.2.3", "ref conflicts: \"v1.0.0\" vs \"refs/tags/v1.2.3\"")]
    [InlineData("https://h/r.git?ref=v1&tag=v1", "ref conflicts: \"v1\" vs \"refs/tags/v1\"")]
    [InlineData("https://h/r.git?branch=main#dev", "ref conflicts: \"dev\" vs \"refs/heads/main\"")]
    [InlineData("https://h/r.git?tag=v1.0.0&branch=v1.0", "branch conflicts with tag")]
    [InlineData("https://h/r.git?subdir=a#main:b", "subdir conflicts: \"b\" vs \"a\"")]
    [InlineData("https://h/r.git?invalid=123", "unexpected query key \"invalid\"")]
    [InlineData("https://h/r.git?checksum=v1.0", "checksum=v1.0 is not a commit hash")]
    [InlineData("https://h/r.git?ref=-x", "a ref cannot start with '-'")]
    public void A_query_BuildKit_refuses_is_refused_naming_the_url(string text, string expected)
    {
        var error = Assert.Throws<FormatException>(() => GitSource.Parse(text));

        Assert.Contains(expected, error.Message);
        Assert.Contains("https://h/r.git", error.Message);
    }

    [Fact]
    public void Credentials_stay_out_of_query_errors()
    {
        var error = Assert.Throws<FormatException>(() => GitSource.Parse("https://user:hunter2@h/r.git?depth=1"));

        Assert.DoesNotContain("hunter2", error.Message);
        Assert.Contains("invalid git URL https://h/r.git?depth=1: unexpected query key \"depth\"", error.Message);
    }

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

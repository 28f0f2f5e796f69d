using Drydock.Context.Remote;

namespace Drydock.Tests.Context.Remote;

public sealed class AddSourcesTests
{
    [Theory]
    [InlineData("http://example.com/file.tar.gz", "Http")]
    [InlineData("HTTPS://example.com/a?b=.git", "Http")]
    [InlineData("https://github.com/moby/buildkit.git", "Git")]
    [InlineData("https://github.com/moby/buildkit.git#v0.10.1:docs", "Git")]
    [InlineData("git@github.com:moby/buildkit.git", "Git")]
    [InlineData("ssh://git@example.com/repo", "Git")]
    [InlineData("git://example.com/repo", "Git")]
    [InlineData("dir/file.txt", "Local")]
    [InlineData("./http://not-a-url", "Local")]
    [InlineData("user@host", "Local")]
    [InlineData("https://example.com/repo.git?ref=v1&subdir=docs", "Git")]
    [InlineData("https://example.com/repo.git?unknown=1", "Git")]
    [InlineData("https://github.com/moby/buildkit", "Http")]
    [InlineData("https://example.com/repo.git/", "Http")]
    [InlineData("github.com/moby/buildkit", "Local")]
    [InlineData("git@github.com:moby/buildkit.git?branch=main", "Git")]
    [InlineData("git-ci_1@host.example:", "Git")]
    [InlineData("first.last@host:repo.git", "Local")]
    public void Sources_are_told_apart_as_BuildKit_does(string source, string expected) =>
        Assert.Equal(expected, AddSources.Classify(source).ToString());

    [Fact]
    public void Credentials_in_a_url_are_never_shown() =>
        Assert.Equal("https://example.com/secret/file", AddSources.Display("https://user:hunter2@example.com/secret/file"));

    [Theory]
    [InlineData("http://example.com/dir/file.txt", "file.txt")]
    [InlineData("http://example.com/dir/sub/", "sub")]
    [InlineData("http://example.com/f%20g.txt?x=1#y", "f g.txt")]
    [InlineData("http://example.com", "__unnamed__")]
    [InlineData("http://example.com/", "__unnamed__")]
    public void A_download_is_named_after_the_last_segment_of_the_url_path(string url, string expected) =>
        Assert.Equal(expected, AddDownload.FileNameOf(new Uri(url)));
}

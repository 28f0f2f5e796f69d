using Drydock.Context;

namespace Drydock.Tests.Context;

public sealed class ContextSourceTests
{
    [Theory]
    [InlineData("ctx", ContextKind.Directory, "ctx")]
    [InlineData("/abs/ctx", ContextKind.Directory, "/abs/ctx")]
    [InlineData("dir:///workspace", ContextKind.Directory, "/workspace")]
    [InlineData("tar:///ctx.tar.gz", ContextKind.Tar, "/ctx.tar.gz")]
    [InlineData("tar://relative.tar", ContextKind.Tar, "relative.tar")]
    [InlineData("tar://stdin", ContextKind.StandardInput, "stdin")]
    [InlineData("-", ContextKind.StandardInput, "stdin")]
    [InlineData("git://github.com/org/repo.git#refs/heads/main", ContextKind.Git, "github.com/org/repo.git#refs/heads/main")]
    [InlineData("https://example.com/ctx.tar.gz", ContextKind.Http, "https://example.com/ctx.tar.gz")]
    [InlineData("http://example.com/ctx.tar", ContextKind.Http, "http://example.com/ctx.tar")]
    [InlineData("s3://bucket/ctx.tar.gz", ContextKind.Bucket, "s3://bucket/ctx.tar.gz")]
    [InlineData("gs://bucket/ctx.tar.gz", ContextKind.Bucket, "gs://bucket/ctx.tar.gz")]
    [InlineData("https://account.blob.core.windows.net/container/ctx.tar.gz", ContextKind.Bucket, "https://account.blob.core.windows.net/container/ctx.tar.gz")]
    public void Kaniko_prefixes_name_the_kind(string text, ContextKind kind, string location)
    {
        var source = ContextSource.Parse(text);

        Assert.Equal(kind, source.Kind);
        Assert.Equal(location, source.Location);
    }

    [Fact]
    public void An_unknown_prefix_is_one_clear_error()
    {
        var e = Assert.Throws<BuildContextException>(() => ContextSource.Parse("ftp://host/ctx.tar"));

        Assert.StartsWith("unknown build context prefix ftp:// in ftp://host/ctx.tar: use a directory (or dir://), tar://PATH", e.Message);
    }

    [Fact]
    public void Credentials_in_a_url_are_never_shown()
    {
        Assert.Equal("https://example.com/ctx.tar", ContextSource.Parse("https://user:secret@example.com/ctx.tar").Shown);
        Assert.Equal("tar://stdin", ContextSource.Parse("-").Shown);
    }

    [Fact]
    public void Git_options_take_kaniko_keys_repeated_or_comma_separated()
    {
        var options = GitContextOptions.Parse(["branch=dev,single-branch=true", "recurse-submodules=1", "insecure-skip-tls=True"]);

        Assert.Equal(new GitContextOptions("dev", true, true, true), options);
        Assert.Equal(GitContextOptions.Default, GitContextOptions.Parse([]));
    }

    [Theory]
    [InlineData("branch", "invalid git option \"branch\": write KEY=VALUE")]
    [InlineData("depth=1", "unknown git option \"depth\": the keys are branch, single-branch, recurse-submodules and insecure-skip-tls")]
    [InlineData("single-branch=yes", "invalid git option single-branch=yes: use single-branch=true or single-branch=false")]
    public void Bad_git_options_are_refused(string value, string message)
    {
        var e = Assert.Throws<FormatException>(() => GitContextOptions.Parse([value]));

        Assert.StartsWith(message, e.Message);
    }
}

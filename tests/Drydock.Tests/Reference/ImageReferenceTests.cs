using Drydock.Reference;

namespace Drydock.Tests.Reference;

public sealed class ImageReferenceTests
{
    private const string Sha = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Theory]
    [InlineData("busybox", "docker.io", "library/busybox", "latest", null)]
    [InlineData("busybox:1.36", "docker.io", "library/busybox", "1.36", null)]
    [InlineData("busybox:Latest_1.x-y", "docker.io", "library/busybox", "Latest_1.x-y", null)]
    [InlineData("library/busybox", "docker.io", "library/busybox", "latest", null)]
    [InlineData("docker.io/busybox", "docker.io", "library/busybox", "latest", null)]
    [InlineData("index.docker.io/busybox", "docker.io", "library/busybox", "latest", null)]
    [InlineData("registry-1.docker.io/team/app:1", "docker.io", "team/app", "1", null)]
    [InlineData("user/repo", "docker.io", "user/repo", "latest", null)]
    [InlineData("user/team/repo:v2", "docker.io", "user/team/repo", "v2", null)]
    [InlineData("localhost/repo", "localhost", "repo", "latest", null)]
    [InlineData("localhost:5000/repo:tag", "localhost:5000", "repo", "tag", null)]
    [InlineData("127.0.0.1:5000/ns/repo:tag", "127.0.0.1:5000", "ns/repo", "tag", null)]
    [InlineData("ghcr.io/owner/image", "ghcr.io", "owner/image", "latest", null)]
    [InlineData("my-registry.example.com:443/a/b/c:v1.2.3", "my-registry.example.com:443", "a/b/c", "v1.2.3", null)]
    [InlineData("[::1]:5000/repo", "[::1]:5000", "repo", "latest", null)]
    [InlineData("repo_name/with__double.dots-and--dashes", "docker.io", "repo_name/with__double.dots-and--dashes", "latest", null)]
    [InlineData("busybox@" + Sha, "docker.io", "library/busybox", null, Sha)]
    [InlineData("busybox:1.36@" + Sha, "docker.io", "library/busybox", "1.36", Sha)]
    [InlineData("127.0.0.1:5000/app@" + Sha, "127.0.0.1:5000", "app", null, Sha)]
    // Docker's quirk: a first component with uppercase letters is taken as a registry host.
    [InlineData("Registry/repo", "Registry", "repo", "latest", null)]
    public void Parses_and_normalises_as_docker_does(string text, string registry, string repository, string? tag, string? digest)
    {
        var reference = ImageReference.Parse(text);

        Assert.Equal(registry, reference.Registry);
        Assert.Equal(repository, reference.Repository);
        Assert.Equal(tag, reference.Tag);
        Assert.Equal(digest, reference.Digest);
        Assert.Equal(reference, ImageReference.Parse(reference.ToString()));
    }

    [Theory]
    [InlineData("busybox", "docker.io/library/busybox:latest")]
    [InlineData("127.0.0.1:5000/app:v1", "127.0.0.1:5000/app:v1")]
    [InlineData("app:v1@" + Sha, "docker.io/library/app:v1@" + Sha)]
    [InlineData("app@" + Sha, "docker.io/library/app@" + Sha)]
    public void Prints_the_full_form(string text, string expected) =>
        Assert.Equal(expected, ImageReference.Parse(text).ToString());

    [Theory]
    [InlineData("", "empty")]
    [InlineData("Busybox", "must be lowercase")]
    [InlineData("docker.io/Library/busybox", "must be lowercase")]
    [InlineData("localhost:5000/App", "must be lowercase")]
    [InlineData("busybox:", "not a valid tag")]
    [InlineData("busybox:-x", "not a valid tag")]
    [InlineData("busybox:.x", "not a valid tag")]
    [InlineData("busybox:a/b", "not a valid registry host")]
    [InlineData("busybox@sha256:abc", "not a valid sha256 digest")]
    [InlineData("busybox@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", "not a valid sha256 digest")]
    [InlineData("busybox@md5:0123456789abcdef0123456789abcdef", "unsupported digest algorithm")]
    [InlineData("busybox@", "not a digest")]
    [InlineData("a..b", "not a valid repository name")]
    [InlineData("-repo", "not a valid repository name")]
    [InlineData("repo-", "not a valid repository name")]
    [InlineData("repo/", "not a valid repository name")]
    [InlineData("repo//x", "not a valid repository name")]
    [InlineData(":tag", "repository name")]
    [InlineData("host.example.com/", "repository name is empty")]
    [InlineData("-bad-.host.com/repo", "not a valid registry host")]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "image ID")]
    [InlineData("repo with space", "not a valid")]
    public void Rejects_invalid_references_with_a_reason(string text, string reason)
    {
        var error = Assert.Throws<FormatException>(() => ImageReference.Parse(text));

        Assert.Contains(reason, error.Message);
        Assert.False(ImageReference.TryParse(text, out _));
    }

    [Fact]
    public void Rejects_a_tag_longer_than_128_characters()
    {
        Assert.NotNull(ImageReference.Parse("repo:" + new string('a', 128)));
        Assert.Throws<FormatException>(() => ImageReference.Parse("repo:" + new string('a', 129)));
    }

    [Fact]
    public void Rejects_a_name_longer_than_255_characters()
    {
        var error = Assert.Throws<FormatException>(() => ImageReference.Parse("example.com/" + new string('a', 250)));

        Assert.Contains("255", error.Message);
    }

    [Theory]
    [InlineData("busybox", "registry-1.docker.io")]
    [InlineData("index.docker.io/library/busybox", "registry-1.docker.io")]
    [InlineData("127.0.0.1:5000/app", "127.0.0.1:5000")]
    [InlineData("ghcr.io/a/b", "ghcr.io")]
    public void Knows_the_API_host(string text, string host) => Assert.Equal(host, ImageReference.Parse(text).ApiHost);

    [Fact]
    public void WithTag_replaces_the_tag_and_drops_the_digest()
    {
        var reference = ImageReference.Parse("app:v1@" + Sha).WithTag("v2");

        Assert.Equal("docker.io/library/app:v2", reference.ToString());
        Assert.Throws<FormatException>(() => reference.WithTag("bad tag"));
    }

    [Fact]
    public void WithDigest_pins_and_keeps_the_tag()
    {
        var reference = ImageReference.Parse("127.0.0.1:5000/app:v1").WithDigest(Sha);

        Assert.Equal($"127.0.0.1:5000/app:v1@{Sha}", reference.ToString());
        Assert.Equal(Sha, reference.Identifier);
        Assert.Throws<FormatException>(() => reference.WithDigest("sha256:nothex"));
    }

    [Fact]
    public void Identifier_is_the_tag_without_a_digest() => Assert.Equal("v1", ImageReference.Parse("app:v1").Identifier);

    [Theory]
    [InlineData("index.docker.io", "docker.io")]
    [InlineData("registry-1.docker.io", "docker.io")]
    [InlineData("Docker.IO", "docker.io")]
    [InlineData("Example.com:5000", "example.com:5000")]
    public void Normalises_registry_hosts(string host, string expected) => Assert.Equal(expected, ImageReference.NormalizeRegistry(host));
}

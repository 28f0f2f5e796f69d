using Drydock.Layers;

namespace Drydock.Tests.Layers;

public sealed class RootedPathTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("drydock-rooted-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("/a/b", "a/b")]
    [InlineData("a/./b/", "a/b")]
    [InlineData("/../../etc/passwd", "etc/passwd")]
    [InlineData("/a/../../../b", "b")]
    [InlineData("/", "")]
    public void Dot_dot_never_climbs_above_the_root(string path, string expected)
    {
        Assert.Equal(Combine(expected), RootedPath.Resolve(_root, path));
    }

    [Fact]
    public void Absolute_symlink_restarts_at_the_root()
    {
        Directory.CreateDirectory(Path.Combine(_root, "usr/lib"));
        File.CreateSymbolicLink(Path.Combine(_root, "lib"), "/usr/lib");
        Assert.Equal(Combine("usr/lib/x.so"), RootedPath.Resolve(_root, "/lib/x.so"));
    }

    [Fact]
    public void Relative_symlink_that_climbs_out_is_clamped()
    {
        File.CreateSymbolicLink(Path.Combine(_root, "escape"), "../../../../tmp");
        Assert.Equal(Combine("tmp/file"), RootedPath.Resolve(_root, "/escape/file"));
    }

    [Fact]
    public void Last_component_is_kept_when_not_followed()
    {
        File.CreateSymbolicLink(Path.Combine(_root, "link"), "/etc/shadow");
        Assert.Equal(Combine("link"), RootedPath.Resolve(_root, "/link", followLast: false));
        Assert.Equal(Combine("etc/shadow"), RootedPath.Resolve(_root, "/link"));
    }

    [Fact]
    public void Link_loop_is_an_error()
    {
        File.CreateSymbolicLink(Path.Combine(_root, "a"), "b");
        File.CreateSymbolicLink(Path.Combine(_root, "b"), "a");
        Assert.Throws<IOException>(() => RootedPath.Resolve(_root, "/a/x"));
    }

    private string Combine(string inner) => inner.Length == 0 ? _root : Path.Combine(_root, inner);
}

using Drydock.Foundation.Paths;

namespace Drydock.Tests.Foundation.Paths;

public sealed class RootedPathTests : IDisposable
{
    private readonly TempDirectory _root = new("drydock-rooted-");

    public void Dispose() => _root.Dispose();

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

    [Theory]
    [InlineData("/a/../../b", true)]
    [InlineData("/a/../b", false)]
    [InlineData("../x", true)]
    public void Climbing_above_the_root_is_reported(string path, bool expected)
    {
        RootedPath.Resolve(_root, path, followLast: true, out var clamped);
        Assert.Equal(expected, clamped);
    }

    [Fact]
    public void Symlink_climbing_above_the_root_is_reported_but_absolute_targets_are_not()
    {
        File.CreateSymbolicLink(Path.Combine(_root, "up"), "../..");
        File.CreateSymbolicLink(Path.Combine(_root, "abs"), "/usr");

        RootedPath.Resolve(_root, "/up/x", followLast: true, out var climbing);
        RootedPath.Resolve(_root, "/abs/x", followLast: true, out var absolute);

        Assert.True(climbing);
        Assert.False(absolute);
    }

    [Fact]
    public void A_root_of_slash_gives_plain_paths()
    {
        Assert.Equal("/", RootedPath.Resolve("/", "/"));
        Assert.Equal("/definitely-missing-drydock/x", RootedPath.Resolve("/", "/definitely-missing-drydock/../definitely-missing-drydock/x"));
    }

    private string Combine(string inner) => inner.Length == 0 ? _root : Path.Combine(_root, inner);
}

using Drydock.Foundation.Paths;

namespace Drydock.Tests.Foundation.Paths;

public sealed class ImagePathsTests
{
    [Theory]
    [InlineData("./etc/passwd", "/etc/passwd", false)]
    [InlineData("etc//passwd/", "/etc/passwd", false)]
    [InlineData("a/b/../c", "/a/c", false)]
    [InlineData("/etc/passwd", "/etc/passwd", true)]
    [InlineData("../etc", "/etc", true)]
    [InlineData("a/../../etc", "/etc", true)]
    [InlineData("./", "/", false)]
    [InlineData("..", "/", true)]
    public void Entry_names_are_cleaned_and_clamping_is_reported(string name, string expected, bool clamped)
    {
        Assert.Equal(expected, ImagePaths.CleanEntryName(name, out var wasClamped));
        Assert.Equal(clamped, wasClamped);
    }

    [Theory]
    [InlineData("/a/b", "/a", "b")]
    [InlineData("/a", "/", "a")]
    [InlineData("/", "/", "")]
    public void Parent_and_name(string path, string parent, string name)
    {
        Assert.Equal(parent, ImagePaths.Parent(path));
        Assert.Equal(name, ImagePaths.Name(path));
    }

    [Theory]
    [InlineData("/", "/x", "/x")]
    [InlineData("/root", "/x", "/root/x")]
    [InlineData("/root", "/", "/root")]
    public void Host_paths_for_any_root(string root, string path, string host)
    {
        Assert.Equal(host, ImagePaths.ToHost(root, path));
        Assert.Equal(path, ImagePaths.FromHost(root, host));
    }

    [Theory]
    [InlineData("relative")]
    [InlineData("/a/../b")]
    [InlineData("/..")]
    public void Caller_paths_must_be_absolute_and_free_of_dot_dot(string path) =>
        Assert.Throws<ArgumentException>(() => ImagePaths.Normalize(path));

    [Fact]
    public void Ignored_path_sets_cover_descendants_only()
    {
        var set = new ImagePathSet(["/proc", "/kaniko/", "/var/run/secrets"]);

        Assert.True(set.Covers("/proc"));
        Assert.True(set.Covers("/proc/1/status"));
        Assert.True(set.Covers("/kaniko/x"));
        Assert.True(set.Covers("/var/run/secrets/token"));
        Assert.False(set.Covers("/processes"));
        Assert.False(set.Covers("/var/run"));
        Assert.False(set.Covers("/"));
        Assert.True(new ImagePathSet(["/"]).Covers("/anything"));
    }
}

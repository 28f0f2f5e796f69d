using System.Runtime.Versioning;
using Drydock.Building;
using Drydock.Foundation.Paths;
using Drydock.Native;

namespace Drydock.Tests.Building;

/// <summary>The in-place root's ignore list, reset and move-out, against a throwaway directory standing in for "/".</summary>
[SupportedOSPlatform("linux")]
public sealed class InPlaceRootTests : IDisposable
{
    private readonly TempDirectory _root = new("drydock-inplace-root-");
    private readonly TempDirectory _outside = new("drydock-inplace-outside-");

    public void Dispose()
    {
        _root.Dispose();
        _outside.Dispose();
    }

    [Fact]
    public void The_ignore_list_takes_mount_points_and_host_paths_inside_the_root_but_never_the_root_itself()
    {
        var mountInfo = $"""
            22 1 0:21 / {_root.Path} rw,relatime shared:1 - ext4 /dev/vda rw
            30 22 0:40 / {_root.Path}/builds/group/my\040project rw - ext4 /dev/vda rw
            31 22 0:41 /hosts {_root.Path}/etc/hosts rw - ext4 /dev/vda rw
            32 1 0:42 / /elsewhere rw - tmpfs tmpfs rw
            """;
        var ignored = InPlaceRoot.IgnoreList(_root.Path, ["/proc", "/var/run/"], [_root.Combine("kaniko"), "/not/inside"], mountInfo);
        Assert.Equal(
            ["/builds/group/my project", "/etc/hosts", "/kaniko", "/proc", "/var/run"],
            ignored.Paths.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_ignore_list_of_slash_takes_every_mount_point_but_slash()
    {
        const string mountInfo = """
            500 400 0:50 / / rw,relatime - overlay overlay rw,lowerdir=/l
            501 500 0:51 / /proc rw - proc proc rw
            502 500 0:52 /x /builds/project rw - ext4 /dev/vda rw
            """;
        var ignored = InPlaceRoot.IgnoreList("/", [], ["/kaniko"], mountInfo);
        Assert.Equal(["/builds/project", "/kaniko", "/proc"], ignored.Paths.Order(StringComparer.Ordinal));
        Assert.False(ignored.Covers("/etc"));
    }

    [RootFact]
    public void Reset_removes_all_but_ignored_paths_and_the_directories_leading_to_them_without_following_links()
    {
        Write("kaniko/executor", "binary");
        Write("etc/hosts", "127.0.0.1 localhost");
        Write("etc/passwd", "root:x:0:0::/:/bin/sh");
        Write("var/run/keep", "pid");
        Write("var/lib/gone", "x");
        Write("usr/bin/tool", "x");
        var precious = Path.Combine(_outside.Path, "precious");
        File.WriteAllText(precious, "not ours");
        Directory.CreateSymbolicLink(_root.Combine("link-out"), _outside.Path);
        Directory.CreateSymbolicLink(_root.Combine("etc/link-out"), _outside.Path);

        Root("/kaniko", "/etc/hosts", "/var/run").Reset(CancellationToken.None);

        Assert.Equal(["etc/", "etc/hosts", "kaniko/", "kaniko/executor", "var/", "var/run/", "var/run/keep"], RootfsListing.Tree(_root.Path));
        Assert.Equal("not ours", File.ReadAllText(precious));
    }

    [RootFact]
    public void Move_out_keeps_files_owners_modes_and_times_and_leaves_ignored_paths_where_they_are()
    {
        Write("etc/hosts", "127.0.0.1 localhost");
        Write("etc/app.conf", "setting");
        Write("kaniko/executor", "binary");
        Write("opt/data/file", "data");
        NativeFiles.Lchown(_root.Combine("opt/data/file"), 1000, 1001);
        NativeFiles.Chmod(_root.Combine("opt/data/file"), (UnixFileMode)0b110_100_000);
        NativeFiles.Chmod(_root.Combine("etc"), (UnixFileMode)0b111_101_000);
        var etcTime = new FileTime(1_600_000_000, 0);
        NativeFiles.SetTimes(_root.Combine("etc"), etcTime, etcTime);
        File.CreateSymbolicLink(_root.Combine("bin"), "usr/bin");
        var before = RootfsListing.Of(_root.Path, withTimes: true);

        var saved = _outside.Combine("saved");
        Directory.CreateDirectory(saved);
        Root("/kaniko", "/etc/hosts").MoveOut(saved, CancellationToken.None);

        Assert.Equal(["etc/", "etc/hosts", "kaniko/", "kaniko/executor"], RootfsListing.Tree(_root.Path));
        var after = RootfsListing.Of(saved, withTimes: true);
        var expected = before.Where(e => !e.Key.StartsWith("/kaniko", StringComparison.Ordinal) && e.Key != "/etc/hosts");
        Assert.Equal(expected, after);
    }

    private InPlaceRoot Root(params string[] ignored) => new(_root.Path, new ImagePathSet(ignored));

    private void Write(string relative, string content)
    {
        var path = _root.Combine(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }
}

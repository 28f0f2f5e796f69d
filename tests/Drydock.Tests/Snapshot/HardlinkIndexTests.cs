using Drydock.Foundation.Paths;
using Drydock.Native;
using Drydock.Snapshot;

namespace Drydock.Tests.Snapshot;

public sealed class HardlinkIndexTests : IDisposable
{
    private readonly TempDirectory _root = new("drydock-links-");

    public HardlinkIndexTests()
    {
        Directory.CreateDirectory(_root + "/a/deep");
        Directory.CreateDirectory(_root + "/ab");
        Directory.CreateDirectory(_root + "/proc");
        File.WriteAllText(_root + "/a/deep/x", "x");
        NativeFiles.Link(_root + "/a/deep/x", _root + "/ab/x");
        NativeFiles.Link(_root + "/a/deep/x", _root + "/a0");
        NativeFiles.Link(_root + "/a/deep/x", _root + "/proc/x");
        File.WriteAllText(_root + "/single", "s");
        File.CreateSymbolicLink(_root + "/a/symlink", "deep/x");
        NativeFiles.Link(_root + "/a/symlink", _root + "/symlink-too");
    }

    public void Dispose() => _root.Dispose();

    [Fact]
    public void A_walk_keeps_every_name_of_each_file_with_several_but_not_ignored_ones()
    {
        var index = HardlinkIndex.Build(_root, new ImagePathSet(["/proc"]), CancellationToken.None);

        Assert.Equal(["/a/deep/x", "/a0", "/ab/x"], index.NamesOf(Inode("/ab/x")));
        Assert.Equal(["/a/symlink", "/symlink-too"], index.NamesOf(Inode("/a/symlink")));
        Assert.Empty(index.NamesOf(Inode("/single")));
        Assert.False(index.TryGetInode("/proc/x", out _));
    }

    [Fact]
    public void The_names_beneath_a_directory_are_those_of_its_subtree_only()
    {
        var index = HardlinkIndex.Build(_root, ImagePathSet.Empty, CancellationToken.None);

        Assert.Equal(["/a/deep/x", "/a/symlink"], index.NamesAtOrUnder("/a"));
        Assert.Equal(["/a0"], index.NamesAtOrUnder("/a0"));
        Assert.Equal(6, index.NamesAtOrUnder("/").Count());
    }

    [Fact]
    public void An_update_forgets_replaced_subtrees_and_relearns_what_a_step_touched()
    {
        var index = HardlinkIndex.Build(_root, ImagePathSet.Empty, CancellationToken.None);
        Directory.Delete(_root + "/a", recursive: true);
        File.Delete(_root + "/ab/x");
        File.WriteAllText(_root + "/ab/x", "new");
        NativeFiles.Link(_root + "/ab/x", _root + "/ab/y");
        File.Delete(_root + "/symlink-too");

        index.Update(_root, removed: ["/a", "/ab/x", "/symlink-too"], touched: ["/ab/x", "/ab/y", "/single"]);

        Assert.Equal(["/ab/x", "/ab/y"], index.NamesOf(Inode("/ab/x")));
        Assert.Equal(["/a0", "/proc/x"], index.NamesOf(Inode("/a0")));
        Assert.Equal(["/a0", "/ab/x", "/ab/y", "/proc/x"], index.NamesAtOrUnder("/"));
    }

    private ulong Inode(string path) => NativeFiles.Lstat(_root + path).Inode;
}

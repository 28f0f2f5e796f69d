using Drydock.Layers;
using Drydock.Native;
using Drydock.Snapshot;

namespace Drydock.Tests.Snapshot;

public sealed class WalkingSnapshotterTests : IDisposable
{
    private readonly TempDirectory _root = new("drydock-snapshot-");
    private readonly WalkingSnapshotter _snapshotter = new(["/proc", "/work/cache"]);

    public WalkingSnapshotterTests()
    {
        Directory.CreateDirectory(At("/etc"));
        File.WriteAllText(At("/etc/config"), "v1");
        Directory.CreateDirectory(At("/var/lib/data"));
        File.WriteAllText(At("/var/lib/data/a"), "a");
        File.WriteAllText(At("/var/lib/data/b"), "b");
        File.CreateSymbolicLink(At("/current"), "etc");
        Directory.CreateDirectory(At("/proc/1"));
        Directory.CreateDirectory(At("/work/cache"));
        Directory.CreateDirectory(At("/work/other"));
    }

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task Nothing_changed_gives_an_empty_diff()
    {
        await _snapshotter.InitializeAsync(_root, CancellationToken.None);

        Assert.True((await _snapshotter.SnapshotAsync(CancellationToken.None)).IsEmpty);
    }

    [Fact]
    public async Task Added_file_and_its_directory_are_reported()
    {
        await _snapshotter.InitializeAsync(_root, CancellationToken.None);
        File.WriteAllText(At("/etc/new"), "n");

        var diff = await _snapshotter.SnapshotAsync(CancellationToken.None);

        Assert.Equal(["/etc", "/etc/new"], diff.Changed);
        Assert.Empty(diff.Deleted);
    }

    [Fact]
    public async Task New_directory_tree_lists_every_path()
    {
        await _snapshotter.InitializeAsync(_root, CancellationToken.None);
        Directory.CreateDirectory(At("/opt/app/bin"));
        File.WriteAllText(At("/opt/app/bin/tool"), "t");

        var diff = await _snapshotter.SnapshotAsync(CancellationToken.None);

        Assert.Equal(["/opt", "/opt/app", "/opt/app/bin", "/opt/app/bin/tool"], diff.Changed);
    }

    [Fact]
    public async Task Content_change_is_reported()
    {
        await _snapshotter.InitializeAsync(_root, CancellationToken.None);
        File.WriteAllText(At("/etc/config"), "v2 longer");

        Assert.Equal(["/etc/config"], (await _snapshotter.SnapshotAsync(CancellationToken.None)).Changed);
    }

    [Fact]
    public async Task Chmod_only_is_reported()
    {
        await _snapshotter.InitializeAsync(_root, CancellationToken.None);
        NativeFiles.Chmod(At("/etc/config"), (UnixFileMode)0x9ED);

        Assert.Equal(["/etc/config"], (await _snapshotter.SnapshotAsync(CancellationToken.None)).Changed);
    }

    [RootFact]
    public async Task Chown_only_is_reported()
    {
        await _snapshotter.InitializeAsync(_root, CancellationToken.None);
        NativeFiles.Lchown(At("/var/lib/data/a"), 1234, 1234);

        Assert.Equal(["/var/lib/data/a"], (await _snapshotter.SnapshotAsync(CancellationToken.None)).Changed);
    }

    [Fact]
    public async Task Deleted_file_is_reported()
    {
        await _snapshotter.InitializeAsync(_root, CancellationToken.None);
        File.Delete(At("/var/lib/data/a"));

        var diff = await _snapshotter.SnapshotAsync(CancellationToken.None);

        Assert.Equal(["/var/lib/data/a"], diff.Deleted);
        Assert.Equal(["/var/lib/data"], diff.Changed);
    }

    [Fact]
    public async Task Deleted_directory_is_one_entry()
    {
        await _snapshotter.InitializeAsync(_root, CancellationToken.None);
        Directory.Delete(At("/var/lib"), recursive: true);

        var diff = await _snapshotter.SnapshotAsync(CancellationToken.None);

        Assert.Equal(["/var/lib"], diff.Deleted);
        Assert.Equal(["/var"], diff.Changed);
    }

    [Fact]
    public async Task Directory_replaced_by_a_file_is_a_change_without_child_deletions()
    {
        await _snapshotter.InitializeAsync(_root, CancellationToken.None);
        Directory.Delete(At("/var/lib/data"), recursive: true);
        File.WriteAllText(At("/var/lib/data"), "now a file");

        var diff = await _snapshotter.SnapshotAsync(CancellationToken.None);

        Assert.Equal(["/var/lib", "/var/lib/data"], diff.Changed);
        Assert.Empty(diff.Deleted);
    }

    [Fact]
    public async Task Directory_recreated_reports_the_children_that_did_not_come_back()
    {
        await _snapshotter.InitializeAsync(_root, CancellationToken.None);
        Directory.Delete(At("/var/lib/data"), recursive: true);
        Directory.CreateDirectory(At("/var/lib/data"));
        File.WriteAllText(At("/var/lib/data/a"), "a");

        var diff = await _snapshotter.SnapshotAsync(CancellationToken.None);

        Assert.Equal(["/var/lib/data/b"], diff.Deleted);
        Assert.Contains("/var/lib/data/a", diff.Changed);
    }

    [Theory]
    [InlineData(SnapshotMode.Redo, true)]
    [InlineData(SnapshotMode.Full, false)]
    [InlineData(SnapshotMode.Time, false)]
    public async Task File_replaced_by_an_identical_one(SnapshotMode mode, bool reported)
    {
        var before = NativeFiles.Lstat(At("/etc/config"));
        var snapshotter = new WalkingSnapshotter(new SnapshotOptions { Mode = mode });
        await snapshotter.InitializeAsync(_root, CancellationToken.None);
        File.WriteAllText(At("/etc/config.new"), "v1");
        NativeFiles.SetTimes(At("/etc/config.new"), before.AccessTime, before.ModificationTime);
        File.Move(At("/etc/config.new"), At("/etc/config"), overwrite: true);

        var diff = await snapshotter.SnapshotAsync(CancellationToken.None);

        Assert.Equal(reported, diff.Changed.Contains("/etc/config"));
    }

    [Theory]
    [InlineData(SnapshotMode.Redo, true)]
    [InlineData(SnapshotMode.Full, true)]
    [InlineData(SnapshotMode.Time, false)]
    public async Task Content_change_keeping_size_and_mtime(SnapshotMode mode, bool reported)
    {
        var before = NativeFiles.Lstat(At("/etc/config"));
        var snapshotter = new WalkingSnapshotter(new SnapshotOptions { Mode = mode });
        await snapshotter.InitializeAsync(_root, CancellationToken.None);
        File.WriteAllText(At("/etc/config"), "v2");
        NativeFiles.SetTimes(At("/etc/config"), before.AccessTime, before.ModificationTime);

        Assert.Equal(reported, (await snapshotter.SnapshotAsync(CancellationToken.None)).Changed.Contains("/etc/config"));
    }

    [Theory]
    [InlineData(SnapshotMode.Redo, true)]
    [InlineData(SnapshotMode.Full, false)]
    [InlineData(SnapshotMode.Time, false)]
    public async Task Chmod_and_chown_to_the_same_values(SnapshotMode mode, bool reported)
    {
        var status = NativeFiles.Lstat(At("/var/lib/data/a"));
        var snapshotter = new WalkingSnapshotter(new SnapshotOptions { Mode = mode });
        await snapshotter.InitializeAsync(_root, CancellationToken.None);
        NativeFiles.Lchown(At("/var/lib/data/a"), status.Uid, status.Gid);
        NativeFiles.Chmod(At("/var/lib/data/a"), status.Permissions);

        Assert.Equal(reported, (await snapshotter.SnapshotAsync(CancellationToken.None)).Changed.Contains("/var/lib/data/a"));
    }

    [RootTheory]
    [InlineData(SnapshotMode.Redo, true)]
    [InlineData(SnapshotMode.Full, true)]
    [InlineData(SnapshotMode.Time, false)]
    public async Task Chmod_chown_and_xattr_only_changes(SnapshotMode mode, bool reported)
    {
        var snapshotter = new WalkingSnapshotter(new SnapshotOptions { Mode = mode });
        await snapshotter.InitializeAsync(_root, CancellationToken.None);
        NativeFiles.Chmod(At("/etc/config"), (UnixFileMode)0x1C0);
        NativeFiles.Lchown(At("/var/lib/data/a"), 4321, 4321);
        NativeFiles.SetXattr(At("/var/lib/data/b"), "user.note", "x"u8);

        var changed = (await snapshotter.SnapshotAsync(CancellationToken.None)).Changed;

        Assert.Equal(reported ? ["/etc/config", "/var/lib/data/a", "/var/lib/data/b"] : [], changed);
    }

    [Theory]
    [InlineData(SnapshotMode.Redo)]
    [InlineData(SnapshotMode.Full)]
    [InlineData(SnapshotMode.Time)]
    public async Task Touch_additions_and_deletions_count_in_every_mode(SnapshotMode mode)
    {
        var snapshotter = new WalkingSnapshotter(new SnapshotOptions { Mode = mode });
        await snapshotter.InitializeAsync(_root, CancellationToken.None);
        var status = NativeFiles.Lstat(At("/etc/config"));
        NativeFiles.SetTimes(At("/etc/config"), status.AccessTime, new FileTime(status.ModificationTime.Seconds + 10, 0));
        File.WriteAllText(At("/etc/added"), "+");
        File.Delete(At("/var/lib/data/a"));

        var diff = await snapshotter.SnapshotAsync(CancellationToken.None);

        Assert.Equal(["/etc", "/etc/added", "/etc/config", "/var/lib/data"], diff.Changed);
        Assert.Equal(["/var/lib/data/a"], diff.Deleted);
    }

    [Fact]
    public async Task Full_mode_sees_a_new_hardlink_but_not_the_file_it_shares()
    {
        var snapshotter = new WalkingSnapshotter(new SnapshotOptions { Mode = SnapshotMode.Full });
        await snapshotter.InitializeAsync(_root, CancellationToken.None);
        NativeFiles.Link(At("/etc/config"), At("/var/config"));

        Assert.Equal(["/var", "/var/config"], (await snapshotter.SnapshotAsync(CancellationToken.None)).Changed);
    }

    [Fact]
    public async Task Full_mode_compares_with_the_last_snapshot_not_the_first()
    {
        var snapshotter = new WalkingSnapshotter(new SnapshotOptions { Mode = SnapshotMode.Full });
        await snapshotter.InitializeAsync(_root, CancellationToken.None);
        var status = NativeFiles.Lstat(At("/etc/config"));
        File.WriteAllText(At("/etc/config"), "v2");
        NativeFiles.SetTimes(At("/etc/config"), status.AccessTime, status.ModificationTime);
        var first = await snapshotter.SnapshotAsync(CancellationToken.None);
        File.WriteAllText(At("/etc/config"), "v2");
        NativeFiles.SetTimes(At("/etc/config"), status.AccessTime, status.ModificationTime);
        var second = await snapshotter.SnapshotAsync(CancellationToken.None);

        Assert.Equal(["/etc/config"], first.Changed);
        Assert.True(second.IsEmpty);
    }

    [Fact]
    public async Task The_step_directory_of_a_walked_root_is_the_root_itself()
    {
        await _snapshotter.InitializeAsync(_root, CancellationToken.None);

        Assert.Equal(_root, await _snapshotter.PrepareStepAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Symlink_retarget_is_reported()
    {
        await _snapshotter.InitializeAsync(_root, CancellationToken.None);
        File.Delete(At("/current"));
        File.CreateSymbolicLink(At("/current"), "var");

        var diff = await _snapshotter.SnapshotAsync(CancellationToken.None);

        Assert.Equal(["/current"], diff.Changed);
        Assert.Empty(diff.Deleted);
    }

    [Fact]
    public async Task Ignored_paths_are_never_reported()
    {
        await _snapshotter.InitializeAsync(_root, CancellationToken.None);
        File.WriteAllText(At("/proc/1/status"), "x");
        Directory.Delete(At("/proc/1"), recursive: true);
        File.WriteAllText(At("/proc/new"), "x");
        File.WriteAllText(At("/work/cache/blob"), "x");
        NativeFiles.Chmod(At("/work/cache"), (UnixFileMode)0x1C0);
        File.WriteAllText(At("/work/other/seen"), "x");

        var diff = await _snapshotter.SnapshotAsync(CancellationToken.None);

        Assert.Equal(["/work/other", "/work/other/seen"], diff.Changed);
        Assert.Empty(diff.Deleted);
    }

    [Fact]
    public async Task Each_snapshot_becomes_the_next_baseline()
    {
        await _snapshotter.InitializeAsync(_root, CancellationToken.None);
        File.WriteAllText(At("/etc/one"), "1");
        var first = await _snapshotter.SnapshotAsync(CancellationToken.None);
        File.WriteAllText(At("/var/two"), "2");
        var second = await _snapshotter.SnapshotAsync(CancellationToken.None);

        Assert.Equal(["/etc", "/etc/one"], first.Changed);
        Assert.Equal(["/var", "/var/two"], second.Changed);
    }

    [Fact]
    public async Task Parallel_and_sequential_walks_find_the_same_changes()
    {
        var parallel = new WalkingSnapshotter(["/proc"], parallelism: 4);
        var sequential = new WalkingSnapshotter(["/proc"], parallelism: 1);
        await parallel.InitializeAsync(_root, CancellationToken.None);
        await sequential.InitializeAsync(_root, CancellationToken.None);
        for (var d = 0; d < 40; d++)
        {
            Directory.CreateDirectory(At($"/wide/d{d}/sub"));
            for (var f = 0; f < 10; f++)
            {
                File.WriteAllText(At($"/wide/d{d}/sub/f{f}"), "x");
            }
        }

        File.Delete(At("/var/lib/data/a"));

        var fromParallel = await parallel.SnapshotAsync(CancellationToken.None);
        var fromSequential = await sequential.SnapshotAsync(CancellationToken.None);

        Assert.Equal(1 + (40 * 12), fromParallel.Changed.Count(p => p.StartsWith("/wide", StringComparison.Ordinal)));
        Assert.Equal(fromSequential, fromParallel);
    }

    [Fact]
    public async Task Snapshot_before_initialize_is_an_error()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(() => new WalkingSnapshotter().SnapshotAsync(CancellationToken.None));
    }

    [RootFact]
    public async Task Snapshot_then_write_then_extract_reproduces_the_change()
    {
        var lower = Path.Combine(_root, "..", Path.GetFileName(_root) + "-lower");
        await CopyTreeAsync(_root, lower);
        await _snapshotter.InitializeAsync(_root, CancellationToken.None);
        File.WriteAllText(At("/etc/config"), "changed");
        Directory.Delete(At("/var/lib/data"), recursive: true);
        Directory.CreateDirectory(At("/srv"));
        File.WriteAllText(At("/srv/index.html"), "<html/>");
        NativeFiles.Lchown(At("/srv/index.html"), 33, 33);
        var diff = await _snapshotter.SnapshotAsync(CancellationToken.None);
        try
        {
            var layer = new MemoryStream();
            await LayerWriter.WriteAsync(_root, diff, layer, LayerWriteOptions.Default, CancellationToken.None);
            layer.Position = 0;
            await LayerExtractor.ExtractAsync(layer, global::Drydock.Oci.LayerCompression.Gzip, lower, CancellationToken.None);

            Assert.Equal("changed", File.ReadAllText(Path.Combine(lower, "etc/config")));
            Assert.False(Directory.Exists(Path.Combine(lower, "var/lib/data")));
            Assert.Equal(33u, NativeFiles.Lstat(Path.Combine(lower, "srv/index.html")).Uid);
        }
        finally
        {
            Directory.Delete(lower, recursive: true);
        }
    }

    private static async Task CopyTreeAsync(string from, string to)
    {
        Directory.CreateDirectory(to);
        await Tests.Layers.Tool.RunAsync("cp", "-a", from + "/.", to);
    }

    private string At(string imagePath) => _root + imagePath;
}

using System.Formats.Tar;
using System.Security.Cryptography;
using Drydock.Layers;
using Drydock.Native;
using Drydock.Oci;
using Drydock.Snapshot;
using Drydock.Tests.Layers;

namespace Drydock.Tests.Snapshot;

/// <summary>
/// The same steps on two copies of one tree, one walked and one on overlayfs, must give the same
/// diffs and layers, entry for entry, in every snapshot mode, and leave the same trees behind,
/// hardlinks and link counts included.
/// </summary>
public sealed class SnapshotterEquivalenceTests : IDisposable
{
    private static readonly (string Name, Action<string> Apply)[] Steps =
    [
        ("add files, an empty directory, symlinks and odd names", root =>
        {
            Directory.CreateDirectory(root + "/opt/app/bin");
            File.WriteAllText(root + "/opt/app/bin/tool", "#!/bin/sh\n");
            NativeFiles.Chmod(root + "/opt/app/bin/tool", (UnixFileMode)0x1ED);
            Directory.CreateDirectory(root + "/opt/empty");
            File.CreateSymbolicLink(root + "/opt/app/absolute", "/etc/passwd");
            File.CreateSymbolicLink(root + "/opt/app/relative", "../../etc");
            File.CreateSymbolicLink(root + "/opt/app/dangling", "/nowhere");
            File.WriteAllText(root + "/opt/app/with space ünï☃", "u");
            File.WriteAllText(root + "/opt/app/" + new string('n', 220), "long");
        }),
        ("change content, modes and owners", root =>
        {
            File.WriteAllText(root + "/etc/passwd", "root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n");
            NativeFiles.Chmod(root + "/opt/ping", (UnixFileMode)0xDED); // 06755
            NativeFiles.Lchown(root + "/home/app/notes", 2000, 2000);
            NativeFiles.Chmod(root + "/opt/empty", (UnixFileMode)0x3FF); // 01777
            NativeFiles.SetXattr(root + "/opt/blob.bin", "user.origin", "test"u8);
        }),
        ("chmod and chown to the values they had", root =>
        {
            NativeFiles.Chmod(root + "/etc/passwd", (UnixFileMode)0x1A4);
            NativeFiles.Lchown(root + "/usr/bin/su", 0, 0);
        }),
        ("delete a file and a whole tree", root =>
        {
            File.Delete(root + "/opt/ping");
            Directory.Delete(root + "/home", recursive: true);
        }),
        ("replace a directory by a file and a file by a directory", root =>
        {
            Directory.Delete(root + "/opt/app/bin", recursive: true);
            File.WriteAllText(root + "/opt/app/bin", "now a file");
            File.Delete(root + "/opt/blob.bin");
            Directory.CreateDirectory(root + "/opt/blob.bin/inside");
        }),
        ("recreate a directory, restoring one child exactly", root =>
        {
            var su = NativeFiles.Lstat(root + "/usr/bin/su");
            Directory.Delete(root + "/usr/bin", recursive: true);
            Directory.CreateDirectory(root + "/usr/bin");
            NativeFiles.Chmod(root + "/usr/bin", (UnixFileMode)0x1ED);
            File.WriteAllText(root + "/usr/bin/su", "#!/bin/sh\n");
            NativeFiles.Chmod(root + "/usr/bin/su", su.Permissions);
            NativeFiles.SetTimes(root + "/usr/bin/su", su.AccessTime, su.ModificationTime);
            File.WriteAllText(root + "/usr/bin/new", "new");
        }),
        ("hardlinks within the step and to a file of an earlier layer", root =>
        {
            File.WriteAllText(root + "/opt/one", "shared");
            NativeFiles.Link(root + "/opt/one", root + "/opt/two");
            NativeFiles.Link(root + "/etc/passwd", root + "/opt/passwd-link");
        }),

        // From here on, steps change files that have several names in the rootfs: in place every
        // name changes, and on overlayfs only the name the step used is copied up.
        ("change the owner of one name of a file hardlinked in an earlier layer", root => NativeFiles.Lchown(root + "/bin/busybox", 1000, 1000)),
        ("change the mode of its other name", root => NativeFiles.Chmod(root + "/bin/sh", (UnixFileMode)0x1C0)),
        ("change its content through one name", root => File.AppendAllText(root + "/bin/sh", " patched")),
        ("give one name an xattr and the other new times", root =>
        {
            NativeFiles.SetXattr(root + "/bin/busybox", "user.note", "linked"u8);
            NativeFiles.SetTimes(root + "/bin/sh", new FileTime(1_700_000_000, 0), new FileTime(1_700_000_000, 5));
        }),
        ("link a name made in an earlier step and change the file through it", root =>
        {
            NativeFiles.Lchown(root + "/opt/passwd-link", 0, 1000);
            NativeFiles.Link(root + "/opt/two", root + "/opt/three");
        }),
        ("link a third name, then rename one", root =>
        {
            NativeFiles.Link(root + "/bin/sh", root + "/usr/lib/sh-too");
            File.Move(root + "/bin/busybox", root + "/bin/bb");
        }),
        ("replace one name by renaming over it, and delete one name of another file", root =>
        {
            File.WriteAllText(root + "/etc/passwd.new", "root:x:0:0::/root:/bin/ash\n");
            File.Move(root + "/etc/passwd.new", root + "/etc/passwd", overwrite: true);
            File.Delete(root + "/opt/two");
        }),
        ("change one name and delete the directory holding another", root =>
        {
            NativeFiles.Chmod(root + "/bin/bb", (UnixFileMode)0x1ED);
            Directory.Delete(root + "/usr/lib", recursive: true);
        }),
        ("delete one of two names", root => File.Delete(root + "/bin/bb")),
    ];

    private readonly TempDirectory _base = new("drydock-equivalence-");

    public void Dispose() => _base.Dispose();

    [OverlayTheory]
    [InlineData(SnapshotMode.Full)]
    [InlineData(SnapshotMode.Redo)]
    [InlineData(SnapshotMode.Time)]
    public async Task Walk_and_overlay_give_the_same_layer_for_every_step(SnapshotMode mode)
    {
        var walked = Path.Combine(_base, "walked");
        var mounted = Path.Combine(_base, "mounted");
        SampleTree.Build(walked);
        SampleTree.Build(mounted);
        var options = new SnapshotOptions { Mode = mode };
        await using var walk = new WalkingSnapshotter(options);
        await using var overlay = new OverlaySnapshotter(Path.Combine(_base, "overlay"), options);
        await walk.InitializeAsync(walked, CancellationToken.None);
        await overlay.InitializeAsync(mounted, CancellationToken.None);

        foreach (var (name, apply) in Steps)
        {
            var fromWalk = await StepAsync(walk, walked, apply);
            var fromOverlay = await StepAsync(overlay, mounted, apply);

            Assert.True(fromWalk.SequenceEqual(fromOverlay), $"{mode}, step '{name}':\nwalk:\n{string.Join('\n', fromWalk)}\noverlay:\n{string.Join('\n', fromOverlay)}");
            Assert.Equal(LinkCounts(walked), LinkCounts(mounted));
        }

        Assert.Equal(RootfsListing.Lines(walked), RootfsListing.Lines(mounted));
    }

    [OverlayTheory]
    [InlineData("owner")]
    [InlineData("mode")]
    [InlineData("content")]
    [InlineData("xattr")]
    [InlineData("times")]
    public async Task Changing_one_name_of_a_file_linked_in_an_earlier_layer_changes_every_name(string change)
    {
        var walked = Path.Combine(_base, "walked");
        var mounted = Path.Combine(_base, "mounted");
        await using var walk = new WalkingSnapshotter(SnapshotOptions.Default);
        await using var overlay = new OverlaySnapshotter(Path.Combine(_base, "overlay"), SnapshotOptions.Default);
        var results = new List<(FilesystemDiff Diff, FileStatus Target, FileStatus Across)>();
        foreach (var (snapshotter, rootfs) in new (ISnapshotter, string)[] { (walk, walked), (overlay, mounted) })
        {
            Directory.CreateDirectory(rootfs + "/data");
            File.WriteAllText(rootfs + "/data/link-target", "target\n");
            await snapshotter.InitializeAsync(rootfs, CancellationToken.None);
            var step = await snapshotter.PrepareStepAsync(CancellationToken.None);
            NativeFiles.Link(step + "/data/link-target", step + "/data/link-across");
            await snapshotter.SnapshotAsync(CancellationToken.None);

            step = await snapshotter.PrepareStepAsync(CancellationToken.None);
            Change(step + "/data/link-target", change);
            results.Add((await snapshotter.SnapshotAsync(CancellationToken.None), NativeFiles.Lstat(rootfs + "/data/link-target"), NativeFiles.Lstat(rootfs + "/data/link-across")));
        }

        var (fromWalk, fromOverlay) = (results[0], results[1]);
        Assert.Equal(["/data/link-across", "/data/link-target"], fromWalk.Diff.Changed);
        Assert.Equal(fromWalk.Diff, fromOverlay.Diff);
        Assert.Equal(fromOverlay.Target.Inode, fromOverlay.Across.Inode);
        Assert.Equal(2u, fromOverlay.Across.LinkCount);
        Assert.Equal(RootfsListing.Lines(walked), RootfsListing.Lines(mounted));
        Assert.Equal(LinkCounts(walked), LinkCounts(mounted));
        var layer = await LayerLinesAsync(mounted, fromOverlay.Diff);
        Assert.Contains(layer, l => l.StartsWith("data/link-across RegularFile ", StringComparison.Ordinal));
        Assert.Contains(layer, l => l.StartsWith("data/link-target HardLink ", StringComparison.Ordinal) && l.Contains("'data/link-across'", StringComparison.Ordinal));
    }

    [OverlayFact]
    public async Task Replacing_or_deleting_one_name_of_a_lower_hardlink_leaves_the_others_alone()
    {
        var root = SampleRoot();
        await using var overlay = await OverlayOnAsync(root);
        var busybox = NativeFiles.Lstat(root + "/bin/busybox");

        var step = await overlay.PrepareStepAsync(CancellationToken.None);
        File.WriteAllText(step + "/bin/sh.new", "a new shell");
        File.Move(step + "/bin/sh.new", step + "/bin/sh", overwrite: true);
        var replaced = await overlay.SnapshotAsync(CancellationToken.None);
        step = await overlay.PrepareStepAsync(CancellationToken.None);
        File.Delete(step + "/bin/sh");
        var deleted = await overlay.SnapshotAsync(CancellationToken.None);

        Assert.Equal(["/bin", "/bin/sh"], replaced.Changed);
        Assert.Equal(["/bin"], deleted.Changed);
        Assert.Equal(["/bin/sh"], deleted.Deleted);
        var left = NativeFiles.Lstat(root + "/bin/busybox");
        Assert.Equal((busybox.Inode, busybox.Mode, 1u), (left.Inode, left.Mode, left.LinkCount));
        Assert.Equal("busybox binary", File.ReadAllText(root + "/bin/busybox"));
    }

    [OverlayFact]
    public async Task A_step_on_overlay_sees_every_name_of_a_lower_hardlink_change_together()
    {
        var root = SampleRoot();
        await using var overlay = await OverlayOnAsync(root);

        var merged = await overlay.PrepareStepAsync(CancellationToken.None);
        NativeFiles.Chmod(merged + "/bin/busybox", (UnixFileMode)0x1C0);
        var sawSh = NativeFiles.Lstat(merged + "/bin/sh").Permissions;
        var diff = await overlay.SnapshotAsync(CancellationToken.None);

        Assert.Equal((UnixFileMode)0x1C0, sawSh);
        Assert.Equal(["/bin/busybox", "/bin/sh"], diff.Changed);
        Assert.Equal((UnixFileMode)0x1C0, NativeFiles.Lstat(root + "/bin/sh").Permissions);
        Assert.Equal(2u, NativeFiles.Lstat(root + "/bin/busybox").LinkCount);
        Assert.Equal(NativeFiles.Lstat(root + "/bin/busybox").Inode, NativeFiles.Lstat(root + "/bin/sh").Inode);
    }

    [RootFact]
    public async Task The_same_diff_of_the_same_tree_gives_the_same_bytes()
    {
        var root = SampleRoot();
        var diff = new FilesystemDiff(RootfsListing.Paths(root), ["/gone", "/etc/old"]);

        var first = new MemoryStream();
        var second = new MemoryStream();
        var a = await LayerWriter.WriteAsync(root, diff, first, LayerWriteOptions.Default, CancellationToken.None);
        var b = await LayerWriter.WriteAsync(root, new FilesystemDiff(diff.Changed.Reverse(), diff.Deleted.Reverse()), second, LayerWriteOptions.Default, CancellationToken.None);

        Assert.Equal(a, b);
        Assert.Equal(first.ToArray(), second.ToArray());
    }

    /// <summary>The sample tree, built under this test's directory.</summary>
    private string SampleRoot()
    {
        var root = Path.Combine(_base, "tree");
        SampleTree.Build(root);
        return root;
    }

    /// <summary>An overlay snapshotter with its state beside the tree, initialized on it.</summary>
    private async Task<OverlaySnapshotter> OverlayOnAsync(string root)
    {
        var overlay = new OverlaySnapshotter(Path.Combine(_base, "overlay"), SnapshotOptions.Default);
        try
        {
            await overlay.InitializeAsync(root, CancellationToken.None);
            return overlay;
        }
        catch
        {
            // A half-made overlay still unmounts what it mounted.
            await overlay.DisposeAsync();
            throw;
        }
    }

    // Each step's diff, then its layer as one line per entry. Changed directories are left to the
    // layer: in Redo mode a directory overlayfs copied up is a new inode, which a walk does not
    // see, but its entry is in the layer either way, as the parent of what changed in it.
    private static async Task<List<string>> StepAsync(ISnapshotter snapshotter, string rootfs, Action<string> apply)
    {
        apply(await snapshotter.PrepareStepAsync(CancellationToken.None));
        var diff = await snapshotter.SnapshotAsync(CancellationToken.None);
        var changed = diff.Changed.Where(p => !Directory.Exists(rootfs + p) || File.GetAttributes(rootfs + p).HasFlag(FileAttributes.ReparsePoint));
        return [.. changed.Select(p => "changed " + p), .. diff.Deleted.Select(p => "deleted " + p), .. await LayerLinesAsync(rootfs, diff)];
    }

    // Times are cleared, since the two trees were written at different moments and only what
    // the step changed must agree.
    private static async Task<List<string>> LayerLinesAsync(string rootfs, FilesystemDiff diff)
    {
        var layer = new MemoryStream();
        var options = new LayerWriteOptions { Compression = LayerCompression.None, Reproducible = true };
        await LayerWriter.WriteAsync(rootfs, diff, layer, options, CancellationToken.None);
        layer.Position = 0;
        var lines = new List<string>();
        using var reader = new TarReader(layer);
        while (reader.GetNextEntry(copyData: true) is { } entry)
        {
            var content = entry.DataStream is null ? "-" : Convert.ToHexString(SHA256.HashData(entry.DataStream))[..16];
            var xattrs = entry is PaxTarEntry pax
                ? string.Join(',', pax.ExtendedAttributes.Where(x => x.Key.StartsWith("SCHILY.", StringComparison.Ordinal)).Select(x => $"{x.Key}={x.Value}"))
                : "";
            lines.Add($"{entry.Name} {entry.EntryType} {Convert.ToString((int)entry.Mode, 8)} {entry.Uid}:{entry.Gid} {entry.Length} {content} '{entry.LinkName}' {xattrs}");
        }

        return lines;
    }

    // Describe names each hardlink group, but not how many names its file has.
    private static List<string> LinkCounts(string root) =>
        RootfsListing.Paths(root)
            .Select(p => (Path: p, Status: NativeFiles.Lstat(root + p)))
            .Where(e => e.Status.Kind != FileKind.Directory)
            .Select(e => $"{e.Path} {e.Status.LinkCount}")
            .Order(StringComparer.Ordinal)
            .ToList();

    private static void Change(string path, string change)
    {
        switch (change)
        {
            case "owner":
                NativeFiles.Lchown(path, 1000, 1000);
                break;
            case "mode":
                NativeFiles.Chmod(path, (UnixFileMode)0x1C0);
                break;
            case "content":
                File.AppendAllText(path, "more\n");
                break;
            case "xattr":
                NativeFiles.SetXattr(path, "user.note", "x"u8);
                break;
            case "times":
                NativeFiles.SetTimes(path, new FileTime(1_700_000_000, 0), new FileTime(1_700_000_000, 0));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(change), change, null);
        }
    }
}

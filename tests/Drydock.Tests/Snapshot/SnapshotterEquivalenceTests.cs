using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Drydock.Layers;
using Drydock.Native;
using Drydock.Oci;
using Drydock.Snapshot;
using Drydock.Tests.Layers;

namespace Drydock.Tests.Snapshot;

/// <summary>
/// The same steps on two copies of one tree, one walked and one on overlayfs, must give the same
/// layers, entry for entry, in every snapshot mode, and leave the same trees behind. Not among
/// the steps: changing one name of a file hardlinked in an earlier layer, where overlayfs breaks
/// the link (see <see cref="OverlaySnapshotter"/> and the test of that below).
/// </summary>
public sealed partial class SnapshotterEquivalenceTests : IDisposable
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
    ];

    private readonly string _base = Directory.CreateTempSubdirectory("drydock-equivalence-").FullName;

    public void Dispose() => Directory.Delete(_base, recursive: true);

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
        }

        Assert.Equal(WithoutTimes(SampleTree.Describe(walked)), WithoutTimes(SampleTree.Describe(mounted)));
    }

    [OverlayFact]
    public async Task Overlay_breaks_a_lower_hardlink_and_the_layer_says_what_the_step_saw()
    {
        var root = Path.Combine(_base, "tree");
        SampleTree.Build(root);
        await using var overlay = new OverlaySnapshotter(Path.Combine(_base, "overlay"), SnapshotOptions.Default);
        await overlay.InitializeAsync(root, CancellationToken.None);

        var merged = await overlay.PrepareStepAsync(CancellationToken.None);
        NativeFiles.Chmod(merged + "/bin/busybox", (UnixFileMode)0x1C0);
        var sawSh = NativeFiles.Lstat(merged + "/bin/sh").Permissions;
        var diff = await overlay.SnapshotAsync(CancellationToken.None);

        Assert.Equal((UnixFileMode)0x1ED, sawSh);
        Assert.Equal(["/bin/busybox"], diff.Changed);
        Assert.Equal((UnixFileMode)0x1ED, NativeFiles.Lstat(root + "/bin/sh").Permissions);
        Assert.Equal(1u, NativeFiles.Lstat(root + "/bin/busybox").LinkCount);
    }

    [Fact]
    public async Task The_same_diff_of_the_same_tree_gives_the_same_bytes()
    {
        var root = Path.Combine(_base, "tree");
        SampleTree.Build(root);
        var diff = new FilesystemDiff(
            Directory.EnumerateFileSystemEntries(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }).Select(p => p[root.Length..]),
            ["/gone", "/etc/old"]);

        var first = new MemoryStream();
        var second = new MemoryStream();
        var a = await LayerWriter.WriteAsync(root, diff, first, LayerWriteOptions.Default, CancellationToken.None);
        var b = await LayerWriter.WriteAsync(root, new FilesystemDiff(diff.Changed.Reverse(), diff.Deleted.Reverse()), second, LayerWriteOptions.Default, CancellationToken.None);

        Assert.Equal(a, b);
        Assert.Equal(first.ToArray(), second.ToArray());
    }

    // Each step's layer, as one line per entry; times are cleared, since the two trees were
    // written at different moments and only what the step changed must agree.
    private static async Task<List<string>> StepAsync(ISnapshotter snapshotter, string rootfs, Action<string> apply)
    {
        apply(await snapshotter.PrepareStepAsync(CancellationToken.None));
        var diff = await snapshotter.SnapshotAsync(CancellationToken.None);
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

    private static List<string> WithoutTimes(List<string> lines) => lines.Select(l => MtimePattern().Replace(l, "")).ToList();

    [GeneratedRegex(" mtime=[^ ]+")]
    private static partial Regex MtimePattern();
}

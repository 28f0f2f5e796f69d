using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using Drydock.Foundation.Paths;
using Drydock.Layers;
using Drydock.Native;
using Drydock.Oci;

namespace Drydock.Tests.Layers;

public sealed class LayerExtractorTests : IDisposable
{
    private static readonly DateTimeOffset Time = DateTimeOffset.FromUnixTimeSeconds(1_500_000_000);
    private readonly LayerTestTree _tree = new();

    public void Dispose() => _tree.Dispose();

    [RootFact]
    public async Task Regular_files_get_content_mode_owner_and_mtime()
    {
        var tar = new TestTar()
            .Dir("etc/", uid: 0, gid: 0)
            .File("etc/hosts", "127.0.0.1 localhost\n", (UnixFileMode)0x1A4, 1000, 1001, Time)
            .ToArray();

        var result = await _tree.ExtractAsync(tar);

        var path = _tree.InRoot("etc/hosts");
        Assert.Equal("127.0.0.1 localhost\n", File.ReadAllText(path));
        var status = NativeFiles.Lstat(path);
        Assert.Equal(FileKind.RegularFile, status.Kind);
        Assert.Equal((UnixFileMode)0x1A4, status.Permissions);
        Assert.Equal((1000u, 1001u), (status.Uid, status.Gid));
        Assert.Equal(new FileTime(1_500_000_000, 0), status.ModificationTime);
        Assert.Equal(2, result.Entries);
        Assert.Empty(_tree.Warnings);
    }

    [RootFact]
    public async Task Setuid_setgid_and_sticky_bits_survive_chown()
    {
        var tar = new TestTar()
            .File("bin/su", "#!", (UnixFileMode)0x9ED, 1000, 1000) // 04755
            .File("bin/wall", "#!", (UnixFileMode)0x5ED, 0, 5) // 02755
            .Dir("tmp/", (UnixFileMode)0x3FF) // 01777
            .Dir("srv/shared/", (UnixFileMode)0x5F8, 0, 50) // 02770
            .ToArray();

        await _tree.ExtractAsync(tar);

        Assert.Equal((UnixFileMode)0x9ED, NativeFiles.Lstat(_tree.InRoot("bin/su")).Permissions);
        Assert.Equal((UnixFileMode)0x5ED, NativeFiles.Lstat(_tree.InRoot("bin/wall")).Permissions);
        Assert.Equal((UnixFileMode)0x3FF, NativeFiles.Lstat(_tree.InRoot("tmp")).Permissions);
        Assert.Equal((UnixFileMode)0x5F8, NativeFiles.Lstat(_tree.InRoot("srv/shared")).Permissions);
        Assert.Equal(50u, NativeFiles.Lstat(_tree.InRoot("srv/shared")).Gid);
    }

    [Fact]
    public async Task Directory_mtime_is_applied_after_its_content()
    {
        var tar = new TestTar()
            .Dir("data/", mtime: Time)
            .File("data/a", "a", mtime: Time.AddDays(1))
            .Dir("data/sub/", mtime: Time.AddDays(2))
            .File("data/sub/b", "b")
            .ToArray();

        await _tree.ExtractAsync(tar);

        Assert.Equal(new FileTime(1_500_000_000, 0), NativeFiles.Lstat(_tree.InRoot("data")).ModificationTime);
        Assert.Equal(new FileTime(1_500_000_000 + (2 * 86400), 0), NativeFiles.Lstat(_tree.InRoot("data/sub")).ModificationTime);
        Assert.Equal(new FileTime(1_500_000_000 + 86400, 0), NativeFiles.Lstat(_tree.InRoot("data/a")).ModificationTime);
    }

    [RootFact]
    public async Task Read_only_directory_is_still_filled_and_keeps_its_mode()
    {
        var tar = new TestTar()
            .Dir("ro/", (UnixFileMode)0x16D) // 0555
            .File("ro/inside", "x")
            .ToArray();

        await _tree.ExtractAsync(tar);

        Assert.Equal("x", File.ReadAllText(_tree.InRoot("ro/inside")));
        Assert.Equal((UnixFileMode)0x16D, NativeFiles.Lstat(_tree.InRoot("ro")).Permissions);
    }

    [RootFact]
    public async Task Symlinks_keep_their_targets_and_owners()
    {
        var tar = new TestTar()
            .Symlink("abs", "/usr/lib/x", 7, 8)
            .Symlink("rel", "../../weird/../target")
            .ToArray();

        await _tree.ExtractAsync(tar);

        Assert.Equal("/usr/lib/x", new FileInfo(_tree.InRoot("abs")).LinkTarget);
        Assert.Equal("../../weird/../target", new FileInfo(_tree.InRoot("rel")).LinkTarget);
        var status = NativeFiles.Lstat(_tree.InRoot("abs"));
        Assert.Equal(FileKind.SymbolicLink, status.Kind);
        Assert.Equal((7u, 8u), (status.Uid, status.Gid));
    }

    [Fact]
    public async Task Entries_under_a_symlink_chain_land_where_the_chain_leads_inside_the_root()
    {
        var tar = new TestTar()
            .Dir("usr/lib64/")
            .Symlink("usr/lib", "lib64")
            .Symlink("lib", "/usr/lib")
            .File("lib/libc.so", "elf")
            .ToArray();

        await _tree.ExtractAsync(tar);

        Assert.Equal("elf", File.ReadAllText(_tree.InRoot("usr/lib64/libc.so")));
        Assert.Equal(FileKind.SymbolicLink, NativeFiles.Lstat(_tree.InRoot("lib")).Kind);
    }

    [RootFact]
    public async Task Hardlinks_within_a_layer_and_across_layers_share_the_inode()
    {
        await _tree.ExtractAsync(new TestTar().File("bin/busybox", "bb", (UnixFileMode)0x1ED).Hardlink("bin/sh", "bin/busybox").ToArray());
        await _tree.ExtractAsync(new TestTar().Hardlink("usr/bin/ls", "/bin/busybox").ToArray());

        var original = NativeFiles.Lstat(_tree.InRoot("bin/busybox"));
        Assert.Equal(original.Inode, NativeFiles.Lstat(_tree.InRoot("bin/sh")).Inode);
        Assert.Equal(original.Inode, NativeFiles.Lstat(_tree.InRoot("usr/bin/ls")).Inode);
        Assert.Equal(3u, original.LinkCount);
        Assert.Empty(_tree.Warnings);
    }

    [RootFact]
    public async Task Devices_and_fifos_are_created_as_root()
    {
        var tar = new TestTar()
            .Device("dev/null", TarEntryType.CharacterDevice, 1, 3, (UnixFileMode)0x1B6)
            .Device("dev/loop9", TarEntryType.BlockDevice, 7, 9)
            .Device("dev/big", TarEntryType.CharacterDevice, 4095, 70000)
            .Fifo("run/pipe")
            .ToArray();

        await _tree.ExtractAsync(tar);

        var nul = NativeFiles.Lstat(_tree.InRoot("dev/null"));
        Assert.Equal((FileKind.CharacterDevice, 1u, 3u), (nul.Kind, nul.RdevMajor, nul.RdevMinor));
        Assert.Equal((UnixFileMode)0x1B6, nul.Permissions);
        var loop = NativeFiles.Lstat(_tree.InRoot("dev/loop9"));
        Assert.Equal((FileKind.BlockDevice, 7u, 9u), (loop.Kind, loop.RdevMajor, loop.RdevMinor));
        var big = NativeFiles.Lstat(_tree.InRoot("dev/big"));
        Assert.Equal((4095u, 70000u), (big.RdevMajor, big.RdevMinor));
        Assert.Equal(FileKind.Fifo, NativeFiles.Lstat(_tree.InRoot("run/pipe")).Kind);
    }

    [Fact]
    public async Task Device_nodes_can_be_refused()
    {
        var tar = new TestTar().Device("dev/sda", TarEntryType.BlockDevice, 8, 0).ToArray();

        await _tree.ExtractAsync(tar, _tree.Options with { CreateDeviceNodes = false });

        Assert.False(NativeFiles.TryLstat(_tree.InRoot("dev/sda"), out _));
        Assert.Contains(_tree.Warnings, w => w.Contains("dev/sda", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Whiteouts_remove_lower_files_and_directories()
    {
        await _tree.ExtractAsync(new TestTar().File("a/x", "x").File("a/y", "y").File("b/deep/z", "z").ToArray());
        await _tree.ExtractAsync(new TestTar().Empty("a/.wh.x").Empty(".wh.b").ToArray());

        Assert.False(File.Exists(_tree.InRoot("a/x")));
        Assert.True(File.Exists(_tree.InRoot("a/y")));
        Assert.False(Directory.Exists(_tree.InRoot("b")));
        Assert.False(File.Exists(_tree.InRoot("a/.wh.x")));
    }

    [Fact]
    public async Task Whiteout_does_not_remove_what_the_same_layer_added()
    {
        await _tree.ExtractAsync(new TestTar().File("keep", "new").Empty(".wh.keep").ToArray());

        Assert.Equal("new", File.ReadAllText(_tree.InRoot("keep")));
    }

    [Fact]
    public async Task Opaque_directory_hides_lower_content_but_keeps_this_layers()
    {
        await _tree.ExtractAsync(new TestTar().File("d/old", "1").File("d/sub/old2", "2").File("other/stay", "3").ToArray());
        await _tree.ExtractAsync(new TestTar().Dir("d/").Empty("d/.wh..wh..opq").File("d/new", "n").ToArray());

        Assert.Equal(["new"], Directory.GetFileSystemEntries(_tree.InRoot("d")).Select(Path.GetFileName));
        Assert.True(File.Exists(_tree.InRoot("other/stay")));
    }

    [Fact]
    public async Task Opaque_marker_after_the_layers_content_keeps_that_content()
    {
        await _tree.ExtractAsync(new TestTar().File("d/old", "1").File("d/sub/old2", "2").ToArray());
        await _tree.ExtractAsync(new TestTar().File("d/sub/new2", "n2").File("d/new", "n").Empty("d/.wh..wh..opq").ToArray());

        Assert.Equal(["new", "sub"], Directory.GetFileSystemEntries(_tree.InRoot("d")).Select(Path.GetFileName).Order());
        Assert.Equal(["new2"], Directory.GetFileSystemEntries(_tree.InRoot("d/sub")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Without_whiteouts_their_names_are_plain_files_that_delete_nothing()
    {
        await _tree.ExtractAsync(new TestTar().File("a/x", "x").File("d/old", "1").ToArray());
        var archive = _tree.Options with { ApplyWhiteouts = false };
        await _tree.ExtractAsync(new TestTar().File("a/.wh.x", "not a whiteout").Empty("d/.wh..wh..opq").Empty(".wh..wh.plnk").ToArray(), archive);

        Assert.Equal("x", File.ReadAllText(_tree.InRoot("a/x")));
        Assert.Equal("not a whiteout", File.ReadAllText(_tree.InRoot("a/.wh.x")));
        Assert.Equal([".wh..wh..opq", "old"], Directory.GetFileSystemEntries(_tree.InRoot("d")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.True(File.Exists(_tree.InRoot(".wh..wh.plnk")));
        Assert.Empty(_tree.Warnings);
    }

    [Fact]
    public async Task A_file_replaces_a_directory_and_a_directory_replaces_a_file()
    {
        await _tree.ExtractAsync(new TestTar().File("p/child", "c").File("q", "file").ToArray());
        await _tree.ExtractAsync(new TestTar().File("p", "now a file").Dir("q/").File("q/inner", "i").ToArray());

        Assert.Equal("now a file", File.ReadAllText(_tree.InRoot("p")));
        Assert.Equal(FileKind.Directory, NativeFiles.Lstat(_tree.InRoot("q")).Kind);
        Assert.Equal("i", File.ReadAllText(_tree.InRoot("q/inner")));
    }

    [Fact]
    public async Task Existing_files_are_replaced_never_written_through()
    {
        await _tree.ExtractAsync(new TestTar().File("orig", "A").File("real", "R").Symlink("link", "real").ToArray());
        await _tree.ExtractAsync(new TestTar().Hardlink("h", "orig").File("h", "B").File("link", "L").ToArray());

        Assert.Equal("A", File.ReadAllText(_tree.InRoot("orig")));
        Assert.Equal("B", File.ReadAllText(_tree.InRoot("h")));
        Assert.Equal("R", File.ReadAllText(_tree.InRoot("real")));
        Assert.Equal(FileKind.RegularFile, NativeFiles.Lstat(_tree.InRoot("link")).Kind);
    }

    [Fact]
    public async Task Xattrs_from_pax_records_are_applied_and_overlay_ones_refused()
    {
        var pax = new Dictionary<string, string>
        {
            ["SCHILY.xattr.user.comment"] = "hello",
            ["SCHILY.xattr.trusted.overlay.redirect"] = "/etc",
        };
        await _tree.ExtractAsync(new TestTar().File("f", "x", pax: pax).ToArray());

        Assert.Equal("hello"u8.ToArray(), NativeFiles.GetXattr(_tree.InRoot("f"), "user.comment"));
        Assert.Null(NativeFiles.GetXattr(_tree.InRoot("f"), "trusted.overlay.redirect"));
        Assert.Contains(_tree.Warnings, w => w.Contains("trusted.overlay.redirect", StringComparison.Ordinal));
    }

    [RootFact]
    public async Task Root_entry_sets_the_roots_metadata_but_is_never_replaced()
    {
        var tar = new TestTar().Dir("./", (UnixFileMode)0x1C0, 3, 4, Time).File("./", "not a dir").ToArray();

        await _tree.ExtractAsync(tar);

        var root = NativeFiles.Lstat(_tree.Rootfs);
        Assert.Equal((FileKind.Directory, (UnixFileMode)0x1C0, 3u, 4u), (root.Kind, root.Permissions, root.Uid, root.Gid));
        Assert.Single(_tree.Warnings);
    }

    [Fact]
    public async Task Gzip_layers_stream_and_report_the_diff_id_of_the_tar()
    {
        var tar = new TestTar().File("a", new string('z', 100_000)).ToArray();
        var blob = TestTar.Gzip(tar);
        var verifying = new VerifyingStream(new MemoryStream(blob), Digest.Sha256(blob), blob.Length, "test blob");

        var result = await LayerExtractor.ExtractAsync(verifying, LayerCompression.Gzip, _tree.Rootfs, CancellationToken.None);

        Assert.Equal(Digest.FromSha256Hash(SHA256.HashData(tar)), result.DiffId);
        Assert.Equal(100_000, new FileInfo(_tree.InRoot("a")).Length);
    }

    [Fact]
    public async Task A_corrupted_blob_fails_verification()
    {
        var blob = TestTar.Gzip(new TestTar().File("a", "data").ToArray());
        var wrong = Digest.Sha256("something else"u8);
        var verifying = new VerifyingStream(new MemoryStream(blob), wrong, blob.Length, "test blob");

        await Assert.ThrowsAsync<InvalidDataException>(() =>
            LayerExtractor.ExtractAsync(verifying, LayerCompression.Gzip, _tree.Rootfs, CancellationToken.None));
    }

    [Fact]
    public async Task Zstd_layers_made_by_the_zstd_tool_extract_with_their_diff_id()
    {
        var tar = new TestTar().File("a", new string('z', 100_000)).File("b/c", "c").ToArray();
        var blob = await ZstdToolAsync(tar, "-19");
        var verifying = new VerifyingStream(new MemoryStream(blob), Digest.Sha256(blob), blob.Length, "test blob");

        var result = await LayerExtractor.ExtractAsync(verifying, LayerCompression.Zstd, _tree.Rootfs, CancellationToken.None);

        Assert.Equal(Digest.FromSha256Hash(SHA256.HashData(tar)), result.DiffId);
        Assert.Equal(100_000, new FileInfo(_tree.InRoot("a")).Length);
        Assert.Equal("c", File.ReadAllText(_tree.InRoot("b/c")));
    }

    [Fact]
    public async Task A_zstd_blob_cut_short_is_an_error()
    {
        var blob = await ZstdToolAsync(new TestTar().File("a", new string('q', 50_000)).ToArray(), "-1");

        await Assert.ThrowsAnyAsync<Exception>(() =>
            LayerExtractor.ExtractAsync(new MemoryStream(blob[..(blob.Length / 2)]), LayerCompression.Zstd, _tree.Rootfs, CancellationToken.None));
    }

    private async Task<byte[]> ZstdToolAsync(byte[] tar, string level)
    {
        var input = Path.Combine(_tree.Base, "layer.tar");
        await File.WriteAllBytesAsync(input, tar);
        await Tool.RunAsync("zstd", "-q", "-f", level, input, "-o", input + ".zst");
        return await File.ReadAllBytesAsync(input + ".zst");
    }

    [Fact]
    public async Task Long_names_in_gnu_and_pax_formats()
    {
        var longName = string.Join('/', Enumerable.Repeat("directory-name-of-some-length", 8)) + "/file";
        await _tree.ExtractAsync(new TestTar(TarEntryFormat.Gnu).File(longName, "gnu").ToArray());
        await _tree.ExtractAsync(new TestTar(TarEntryFormat.Pax).File(longName + "2", "pax").ToArray());

        Assert.Equal("gnu", File.ReadAllText(_tree.InRoot(longName)));
        Assert.Equal("pax", File.ReadAllText(_tree.InRoot(longName + "2")));
    }

    [RootFact]
    public async Task Layers_made_by_gnu_tar_keep_nanosecond_mtimes_owners_and_xattrs()
    {
        var source = Path.Combine(_tree.Base, "source");
        Directory.CreateDirectory(Path.Combine(source, "dir"));
        var file = Path.Combine(source, "dir", "file");
        File.WriteAllText(file, "content");
        NativeFiles.Lchown(file, 4242, 4343);
        NativeFiles.SetXattr(file, "user.origin", "gnu"u8);
        NativeFiles.SetTimes(file, new FileTime(1_400_000_000, 987_654_321), new FileTime(1_400_000_000, 123_456_789));
        var layer = Path.Combine(_tree.Base, "layer.tar");
        await Tool.RunAsync("tar", "--format=posix", "--xattrs", "--numeric-owner", "-C", source, "-cf", layer, ".");
        Directory.Delete(source, recursive: true);
        File.Move(layer, Path.Combine(_tree.Outside, "..", "layer.tar"), overwrite: true);

        await _tree.ExtractAsync(File.ReadAllBytes(Path.Combine(_tree.Base, "layer.tar")));
        File.Delete(Path.Combine(_tree.Base, "layer.tar"));

        var status = NativeFiles.Lstat(_tree.InRoot("dir/file"));
        Assert.Equal(new FileTime(1_400_000_000, 123_456_789), status.ModificationTime);
        Assert.Equal((4242u, 4343u), (status.Uid, status.Gid));
        Assert.Equal("gnu"u8.ToArray(), NativeFiles.GetXattr(_tree.InRoot("dir/file"), "user.origin"));
        _tree.AssertOutsideUntouched();
    }

    [Fact]
    public async Task Extraction_into_a_root_skips_ignored_paths()
    {
        Directory.CreateDirectory(_tree.InRoot("proc"));
        var options = _tree.Options with { IgnoredPaths = new ImagePathSet(["/proc", "/work"]) };
        var tar = new TestTar().File("proc/evil", "x").File("work/secret", "s").File("ok", "fine").Empty(".wh.proc").ToArray();

        await _tree.ExtractAsync(tar, options);

        Assert.False(File.Exists(_tree.InRoot("proc/evil")));
        Assert.True(Directory.Exists(_tree.InRoot("proc")));
        Assert.False(Directory.Exists(_tree.InRoot("work")));
        Assert.True(File.Exists(_tree.InRoot("ok")));
    }

    [Fact]
    public async Task Errors_name_the_entry()
    {
        await _tree.ExtractAsync(new TestTar().File("plain", "file").ToArray());

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => _tree.ExtractAsync(new TestTar().File("plain/child", "x").ToArray()));
        Assert.Contains("plain/child", error.Message, StringComparison.Ordinal);
    }

    [RootFact]
    public async Task Ownership_can_be_left_to_the_extracting_user()
    {
        await _tree.ExtractAsync(new TestTar().File("f", "x", uid: 1234, gid: 1234).ToArray(), _tree.Options with { PreserveOwnership = false });

        Assert.Equal(0u, NativeFiles.Lstat(_tree.InRoot("f")).Uid);
    }

    [Fact]
    public async Task Uncompressed_blob_is_read_to_its_end_for_verification()
    {
        var tar = new TestTar().File("a", "data").ToArray();
        var padded = tar.Concat(new byte[10240]).ToArray();
        var verifying = new VerifyingStream(new MemoryStream(padded), Digest.Sha256(padded), padded.Length, "test blob");

        var result = await LayerExtractor.ExtractAsync(verifying, LayerCompression.None, _tree.Rootfs, CancellationToken.None);

        Assert.Equal(Digest.Sha256(padded), result.DiffId);
    }

    [Fact]
    public async Task Utf8_names_round_trip()
    {
        await _tree.ExtractAsync(new TestTar().File("données/été.txt", "ok").ToArray());

        Assert.Equal("ok", File.ReadAllText(_tree.InRoot("données/été.txt"), Encoding.UTF8));
    }
}

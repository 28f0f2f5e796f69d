using Drydock.Native;

namespace Drydock.Tests.Layers;

// Native/ has no test folder of this slice's own; these cover the libc calls the layers rely on.
public sealed class NativeFilesTests : IDisposable
{
    private readonly TempDirectory _dir = new("drydock-native-");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Lstat_reports_kind_size_links_and_does_not_follow()
    {
        var file = Path.Combine(_dir, "f");
        File.WriteAllText(file, "12345");
        File.CreateSymbolicLink(Path.Combine(_dir, "l"), "f");

        var status = NativeFiles.Lstat(file);
        var link = NativeFiles.Lstat(Path.Combine(_dir, "l"));

        Assert.Equal((FileKind.RegularFile, 5L, 1u), (status.Kind, status.Size, status.LinkCount));
        Assert.Equal(FileKind.SymbolicLink, link.Kind);
        Assert.NotEqual(status.Inode, link.Inode);
        Assert.Equal(status.Device, link.Device);
        Assert.False(NativeFiles.TryLstat(Path.Combine(_dir, "missing"), out _));
        Assert.False(NativeFiles.TryLstat(Path.Combine(_dir, "f", "under-a-file"), out _));
    }

    [Fact]
    public void Times_keep_nanoseconds_and_do_not_follow_links()
    {
        var (file, link) = FileAndLink();

        NativeFiles.SetTimes(file, new FileTime(1_000_000_000, 1), new FileTime(1_100_000_000, 999_999_999));
        NativeFiles.SetTimes(link, new FileTime(5, 0), new FileTime(6, 7));

        Assert.Equal(new FileTime(1_100_000_000, 999_999_999), NativeFiles.Lstat(file).ModificationTime);
        Assert.Equal(new FileTime(1_000_000_000, 1), NativeFiles.Lstat(file).AccessTime);
        Assert.Equal(new FileTime(6, 7), NativeFiles.Lstat(link).ModificationTime);
    }

    [Fact]
    public void Chmod_sets_special_bits_and_leaves_symlink_targets_alone()
    {
        var (file, link) = FileAndLink();
        NativeFiles.Chmod(file, (UnixFileMode)0x1A4);

        NativeFiles.Chmod(link, (UnixFileMode)0xFFF);
        Assert.Equal((UnixFileMode)0x1A4, NativeFiles.Lstat(file).Permissions);

        NativeFiles.Chmod(file, (UnixFileMode)0xFED);
        Assert.Equal((UnixFileMode)0xFED, NativeFiles.Lstat(file).Permissions);
    }

    [RootFact]
    public void Lchown_changes_the_link_not_its_target()
    {
        var (file, link) = FileAndLink();

        NativeFiles.Lchown(link, 501, 502);

        Assert.Equal((501u, 502u), (NativeFiles.Lstat(link).Uid, NativeFiles.Lstat(link).Gid));
        Assert.Equal(0u, NativeFiles.Lstat(file).Uid);
    }

    [Fact]
    public void Xattrs_round_trip_binary_values()
    {
        var file = Path.Combine(_dir, "f");
        File.WriteAllText(file, "x");
        byte[] value = [0, 0x80, 0xFF, 1];

        NativeFiles.SetXattr(file, "user.binary", value);
        NativeFiles.SetXattr(file, "user.empty", []);

        Assert.Equal(value, NativeFiles.GetXattr(file, "user.binary"));
        Assert.Equal([], NativeFiles.GetXattr(file, "user.empty")!);
        Assert.Null(NativeFiles.GetXattr(file, "user.absent"));
        Assert.Equal(["user.binary", "user.empty"], NativeFiles.ListXattrs(file).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Large_xattr_lists_grow_the_buffer()
    {
        var file = Path.Combine(_dir, "f");
        File.WriteAllText(file, "x");
        // More than the first guesses (1 KiB of names, 256 bytes of value), within ext4's one block.
        var big = new byte[1000];
        for (var i = 0; i < 20; i++)
        {
            NativeFiles.SetXattr(file, $"user.attribute-with-a-rather-long-name-to-fill-the-list-{i:D3}", i == 0 ? big : [1]);
        }

        Assert.Equal(20, NativeFiles.ListXattrs(file).Count);
        Assert.Equal(1000, NativeFiles.GetXattr(file, "user.attribute-with-a-rather-long-name-to-fill-the-list-000")!.Length);
    }

    [Fact]
    public void Errors_name_the_call_the_path_and_errno()
    {
        var missing = Path.Combine(_dir, "missing");

        var error = Assert.Throws<NativeFilesException>(() => NativeFiles.Lchown(missing, 0, 0));

        Assert.Equal(2, error.Errno);
        Assert.Contains("lchown", error.Message, StringComparison.Ordinal);
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
        Assert.Contains("No such file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Link_makes_a_hardlink_to_a_symlink_itself()
    {
        File.CreateSymbolicLink(Path.Combine(_dir, "l"), "nowhere");

        NativeFiles.Link(Path.Combine(_dir, "l"), Path.Combine(_dir, "h"));

        Assert.Equal(FileKind.SymbolicLink, NativeFiles.Lstat(Path.Combine(_dir, "h")).Kind);
        Assert.Equal(2u, NativeFiles.Lstat(Path.Combine(_dir, "l")).LinkCount);
    }

    [Theory]
    [InlineData("1700000000", 1_700_000_000, 0)]
    [InlineData("1700000000.5", 1_700_000_000, 500_000_000)]
    [InlineData("1700000000.123456789123", 1_700_000_000, 123_456_789)]
    [InlineData("-1.25", -2, 750_000_000)]
    [InlineData("0.000000001", 0, 1)]
    public void Pax_times_parse_and_print_back(string text, long seconds, int nanoseconds)
    {
        Assert.True(FileTime.TryParsePax(text, out var time));
        Assert.Equal(new FileTime(seconds, nanoseconds), time);
        Assert.True(FileTime.TryParsePax(time.ToPaxString(), out var again));
        Assert.Equal(time, again);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("1.2x")]
    [InlineData(".5")]
    public void Bad_pax_times_are_rejected(string text) => Assert.False(FileTime.TryParsePax(text, out _));

    [Fact]
    public void Copies_keep_holes_and_data()
    {
        var first = SparseTestFiles.RandomBytes(5000, 1);
        var second = SparseTestFiles.RandomBytes(4096, 2);
        // A gigabyte: a copy that wrote the zeros would fail the test without filling the disk.
        var source = SparseTestFiles.Create(Path.Combine(_dir, "sparse"), 1L << 30, (4096, first), (1L << 29, second));
        var dense = Path.Combine(_dir, "dense");
        File.WriteAllBytes(dense, first);

        NativeFiles.CopyFile(source, Path.Combine(_dir, "sparse-copy"));
        NativeFiles.CopyFile(dense, Path.Combine(_dir, "dense-copy"));

        var copy = Path.Combine(_dir, "sparse-copy");
        Assert.Equal(1L << 30, new FileInfo(copy).Length);
        Assert.Equal(SparseTestFiles.Segments(source), SparseTestFiles.Segments(copy));
        Assert.Equal(first, SparseTestFiles.Read(copy, 4096, first.Length));
        Assert.Equal(second, SparseTestFiles.Read(copy, 1L << 29, second.Length));
        Assert.Equal(first, File.ReadAllBytes(Path.Combine(_dir, "dense-copy")));
        Assert.Throws<NativeFilesException>(() => NativeFiles.CopyFile(source, copy));
    }

    [Fact]
    public void Data_segments_skip_holes_and_stop_at_the_size_given()
    {
        var path = SparseTestFiles.Create(Path.Combine(_dir, "f"), 1L << 30, (0, new byte[4096]), (1L << 20, new byte[8192]));
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read);

        Assert.Equal([(0L, 4096L), (1L << 20, 8192L)], SparseTestFiles.Segments(path));
        Assert.True(NativeFiles.TryNextDataSegment(file, path, 4096, (1L << 20) + 100, out var offset, out var length));
        Assert.Equal((1L << 20, 100L), (offset, length));
        Assert.False(NativeFiles.TryNextDataSegment(file, path, (1L << 20) + 8192, 1L << 30, out _, out _));
    }

    /// <summary>A file "f" holding "x" and a symlink "l" to it.</summary>
    private (string File, string Link) FileAndLink()
    {
        var file = Path.Combine(_dir, "f");
        File.WriteAllText(file, "x");
        var link = Path.Combine(_dir, "l");
        File.CreateSymbolicLink(link, "f");
        return (file, link);
    }
}

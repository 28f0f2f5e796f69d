using System.Formats.Tar;
using Drydock.Native;

namespace Drydock.Tests.Layers;

/// <summary>
/// Hostile layers: each must be refused or neutralised inside the rootfs, and the sentinel beside
/// the rootfs must stay untouched.
/// </summary>
public sealed class MaliciousLayerTests : IDisposable
{
    private readonly LayerTestTree _tree = new();

    public void Dispose() => _tree.Dispose();

    [Theory]
    [InlineData("../escape.txt", "escape.txt")]
    [InlineData("../../outside/sentinel", "outside/sentinel")]
    [InlineData("a/../../../../outside/sentinel", "outside/sentinel")]
    [InlineData("/abs.txt", "abs.txt")]
    public async Task Names_that_climb_or_are_absolute_are_clamped_inside_the_root(string name, string expected)
    {
        await _tree.ExtractAsync(new TestTar().File(name, "payload").ToArray());

        Assert.Equal("payload", File.ReadAllText(_tree.InRoot(expected)));
        Assert.Contains(_tree.Warnings, w => w.Contains(name, StringComparison.Ordinal));
        _tree.AssertOutsideUntouched();
    }

    [Fact]
    public async Task Absolute_name_of_the_host_sentinel_lands_inside_the_root()
    {
        await _tree.ExtractAsync(new TestTar().File(_tree.Sentinel, "overwritten?").ToArray());

        Assert.Equal("overwritten?", File.ReadAllText(_tree.InRoot(_tree.Sentinel)));
        _tree.AssertOutsideUntouched();
    }

    [Fact]
    public async Task Symlink_then_write_through_it_stays_inside()
    {
        var tar = new TestTar()
            .Symlink("a", _tree.Outside)
            .File("a/x", "through the link")
            .File("a/sentinel", "clobber")
            .ToArray();

        await _tree.ExtractAsync(tar);

        Assert.Equal("through the link", File.ReadAllText(_tree.InRoot(_tree.Outside + "/x")));
        Assert.Equal("clobber", File.ReadAllText(_tree.InRoot(_tree.Outside + "/sentinel")));
        _tree.AssertOutsideUntouched();
    }

    [Fact]
    public async Task Symlink_planted_by_a_lower_layer_is_not_followed_out()
    {
        await _tree.ExtractAsync(new TestTar().Symlink("etc", _tree.Outside).ToArray());
        await _tree.ExtractAsync(new TestTar().File("etc/sentinel", "clobber").File("etc/passwd", "root::0:0").ToArray());

        Assert.Equal("root::0:0", File.ReadAllText(_tree.InRoot(_tree.Outside + "/passwd")));
        _tree.AssertOutsideUntouched();
    }

    [Fact]
    public async Task A_file_over_a_symlink_to_the_sentinel_replaces_the_link()
    {
        var tar = new TestTar().Symlink("s", _tree.Sentinel).File("s", "replaced").ToArray();

        await _tree.ExtractAsync(tar);

        Assert.Equal(FileKind.RegularFile, NativeFiles.Lstat(_tree.InRoot("s")).Kind);
        Assert.Equal("replaced", File.ReadAllText(_tree.InRoot("s")));
        _tree.AssertOutsideUntouched();
    }

    [Theory]
    [InlineData("..")]
    [InlineData("../..")]
    [InlineData("../../../../..")]
    [InlineData("sub/../../..")]
    public async Task Symlink_to_dot_dot_then_write_lands_in_the_root(string target)
    {
        var tar = new TestTar().Dir("sub/").Symlink("up", target).File("up/outside/sentinel", "clobber").File("up/x", "x").ToArray();

        await _tree.ExtractAsync(tar);

        Assert.Equal("x", File.ReadAllText(_tree.InRoot("x")));
        Assert.Equal("clobber", File.ReadAllText(_tree.InRoot("outside/sentinel")));
        _tree.AssertOutsideUntouched();
    }

    [Fact]
    public async Task Symlink_climbing_out_is_reported()
    {
        await _tree.ExtractAsync(new TestTar().Symlink("up", "../..").File("up/x", "x").ToArray());

        Assert.Contains(_tree.Warnings, w => w.Contains("up/x", StringComparison.Ordinal));
        _tree.AssertOutsideUntouched();
    }

    [Theory]
    [InlineData("../outside/sentinel")]
    [InlineData("../../outside/sentinel")]
    [InlineData("ABSOLUTE")]
    [InlineData("via/sentinel")]
    public async Task Hardlink_to_an_outside_path_is_refused(string linkName)
    {
        linkName = linkName == "ABSOLUTE" ? _tree.Sentinel : linkName;
        var tar = new TestTar().Symlink("via", _tree.Outside).Hardlink("h", linkName).ToArray();

        await _tree.ExtractAsync(tar);

        Assert.False(NativeFiles.TryLstat(_tree.InRoot("h"), out _));
        Assert.Contains(_tree.Warnings, w => w.Contains("'h'", StringComparison.Ordinal));
        _tree.AssertOutsideUntouched();
    }

    [Fact]
    public async Task Hardlink_to_a_directory_is_refused()
    {
        await _tree.ExtractAsync(new TestTar().Dir("d/").Hardlink("h", "d").ToArray());

        Assert.False(NativeFiles.TryLstat(_tree.InRoot("h"), out _));
        Assert.Contains(_tree.Warnings, w => w.Contains("directory", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(".wh..")]
    [InlineData(".wh...")]
    [InlineData("sub/.wh..")]
    [InlineData("sub/.wh...")]
    public async Task Whiteout_of_dot_or_dot_dot_is_refused(string name)
    {
        await _tree.ExtractAsync(new TestTar().File("sub/keep", "k").File("top", "t").ToArray());

        await _tree.ExtractAsync(new TestTar().Empty(name).ToArray());

        Assert.True(File.Exists(_tree.InRoot("sub/keep")));
        Assert.True(File.Exists(_tree.InRoot("top")));
        Assert.True(Directory.Exists(_tree.Rootfs));
        _tree.AssertOutsideUntouched();
    }

    [Theory]
    [InlineData("../.wh.outside")]
    [InlineData("../../.wh.outside")]
    [InlineData("../outside/.wh.sentinel")]
    [InlineData("../.wh.rootfs")]
    [InlineData("link/.wh.sentinel")]
    [InlineData("up/.wh.outside")]
    public async Task Whiteout_outside_the_root_never_deletes_outside(string name)
    {
        await _tree.ExtractAsync(new TestTar().Symlink("link", _tree.Outside).Symlink("up", "../..").File("keep", "k").ToArray());

        await _tree.ExtractAsync(new TestTar().Empty(name).ToArray());

        Assert.True(File.Exists(_tree.InRoot("keep")));
        Assert.True(Directory.Exists(_tree.Rootfs));
        _tree.AssertOutsideUntouched();
    }

    [Fact]
    public async Task Whiteout_of_a_symlink_removes_the_link_not_its_target()
    {
        await _tree.ExtractAsync(new TestTar().Symlink("link", _tree.Outside).Symlink("rel", "../outside").ToArray());

        await _tree.ExtractAsync(new TestTar().Empty(".wh.link").Empty(".wh.rel").ToArray());

        Assert.False(NativeFiles.TryLstat(_tree.InRoot("link"), out _));
        Assert.False(NativeFiles.TryLstat(_tree.InRoot("rel"), out _));
        _tree.AssertOutsideUntouched();
    }

    [Fact]
    public async Task Opaque_marker_above_the_root_only_empties_the_root()
    {
        await _tree.ExtractAsync(new TestTar().Symlink("link", _tree.Outside).File("lower", "l").ToArray());

        await _tree.ExtractAsync(new TestTar().Empty("../.wh..wh..opq").File("upper", "u").ToArray());

        Assert.Equal(["upper"], Directory.GetFileSystemEntries(_tree.Rootfs).Select(Path.GetFileName));
        _tree.AssertOutsideUntouched();
    }

    [Fact]
    public async Task Opaque_marker_under_a_symlink_empties_the_directory_inside_the_root()
    {
        Directory.CreateDirectory(_tree.InRoot(_tree.Outside));
        File.WriteAllText(_tree.InRoot(_tree.Outside + "/inner"), "i");
        await _tree.ExtractAsync(new TestTar().Symlink("link", _tree.Outside).ToArray());

        await _tree.ExtractAsync(new TestTar().Empty("link/.wh..wh..opq").ToArray());

        Assert.Empty(Directory.GetFileSystemEntries(_tree.InRoot(_tree.Outside)));
        _tree.AssertOutsideUntouched();
    }

    [RootFact]
    public async Task Device_nodes_with_escaping_names_are_created_inside_the_root()
    {
        var tar = new TestTar()
            .Symlink("devlink", _tree.Outside)
            .Device("../dev/sda", TarEntryType.BlockDevice, 8, 0)
            .Device("devlink/mem", TarEntryType.CharacterDevice, 1, 1)
            .Device("devlink/sentinel", TarEntryType.CharacterDevice, 1, 3)
            .ToArray();

        await _tree.ExtractAsync(tar);

        Assert.Equal(FileKind.BlockDevice, NativeFiles.Lstat(_tree.InRoot("dev/sda")).Kind);
        Assert.Equal(FileKind.CharacterDevice, NativeFiles.Lstat(_tree.InRoot(_tree.Outside + "/mem")).Kind);
        _tree.AssertOutsideUntouched();
    }

    [Fact]
    public async Task Device_nodes_are_skipped_when_refused()
    {
        var tar = new TestTar().Device("../dev/sda", TarEntryType.BlockDevice, 8, 0).Device("dev/mem", TarEntryType.CharacterDevice, 1, 1).ToArray();

        await _tree.ExtractAsync(tar, _tree.Options with { CreateDeviceNodes = false });

        Assert.False(Directory.Exists(_tree.InRoot("dev")) && Directory.GetFileSystemEntries(_tree.InRoot("dev")).Length > 0);
        Assert.Equal(2, _tree.Warnings.Count(w => w.Contains("device", StringComparison.Ordinal)));
        _tree.AssertOutsideUntouched();
    }

    [Fact]
    public async Task Hardlink_then_overwrite_does_not_change_the_linked_file()
    {
        await _tree.ExtractAsync(new TestTar().File("etc/shadow", "secret").ToArray());

        await _tree.ExtractAsync(new TestTar().Hardlink("copy", "etc/shadow").File("copy", "attacker").ToArray());

        Assert.Equal("secret", File.ReadAllText(_tree.InRoot("etc/shadow")));
        _tree.AssertOutsideUntouched();
    }

    [Fact]
    public async Task Symlink_loop_fails_cleanly_without_escaping()
    {
        var tar = new TestTar().Symlink("a", "b").Symlink("b", "a").File("a/x", "x").ToArray();

        var error = await Assert.ThrowsAsync<IOException>(() => _tree.ExtractAsync(tar));

        Assert.Contains("a/x", error.Message, StringComparison.Ordinal);
        _tree.AssertOutsideUntouched();
    }
}

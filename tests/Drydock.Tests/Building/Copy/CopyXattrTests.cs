using System.Text;
using Drydock.Building.Copy;
using Drydock.Building;
using Drydock.Context;
using Drydock.Native;
using Drydock.Tests.Layers;

namespace Drydock.Tests.Building.Copy;

/// <summary>
/// COPY keeps extended attributes of files, directories and symlinks, as BuildKit's copy does:
/// a <c>setcap</c>ed binary copied from a builder stage still has its capability, even with
/// <c>--chown</c> (which makes the kernel drop it) and <c>--chmod</c>.
/// </summary>
public sealed class CopyXattrTests : IDisposable
{
    private const string Capability = "security.capability";
    private static readonly byte[] Value = Encoding.ASCII.GetBytes("value");
    private readonly CopyScenario _scenario = new();

    public void Dispose() => _scenario.Dispose();

    [RootFact]
    public async Task Files_directories_and_symlinks_keep_their_attributes_but_not_overlay_or_selinux_ones()
    {
        var file = _scenario.Context.File("dir/sub/file", "data");
        var link = _scenario.Context.Link("dir/link", "sub/file");
        NativeFiles.SetXattr(file, "user.origin", Value);
        NativeFiles.SetXattr(file, "trusted.kept", Value);
        NativeFiles.SetXattr(file, "trusted.overlay.origin", Value);
        NativeFiles.SetXattr(file, "user.overlay.origin", Value);
        NativeFiles.SetXattr(file, "security.selinux", Encoding.ASCII.GetBytes("system_u:object_r:tmp_t:s0\0"));
        NativeFiles.SetXattr(_scenario.Context.In("dir/sub"), "user.directory", Value);
        NativeFiles.SetXattr(link, "trusted.link", Value);

        await _scenario.CopyAsync("COPY dir /dst/");

        Assert.Equal(["trusted.kept", "user.origin"], NativeFiles.ListXattrs(_scenario.Image("/dst/sub/file")).Order(StringComparer.Ordinal));
        Assert.Equal(Value, NativeFiles.GetXattr(_scenario.Image("/dst/sub/file"), "user.origin"));
        Assert.Equal(Value, NativeFiles.GetXattr(_scenario.Image("/dst/sub"), "user.directory"));
        Assert.Equal(Value, NativeFiles.GetXattr(_scenario.Image("/dst/link"), "trusted.link"));
        Assert.Equal("sub/file", new FileInfo(_scenario.Image("/dst/link")).LinkTarget);
    }

    [RootTheory]
    [InlineData("COPY --from=builder /usr/bin/ping /bin/ping", "1000:1000", "4755")]
    [InlineData("COPY --from=builder --chown=7:8 --chmod=0750 /usr/bin/ping /bin/ping", "7:8", "750")]
    [InlineData("COPY --from=builder --chown=7:8 /usr/bin /bin/", "7:8", "4755")]
    public async Task A_setcap_binary_from_a_stage_keeps_its_capability_after_chown_and_chmod(string line, string owner, string mode)
    {
        var ping = Path.Combine(_scenario.Stage, "usr/bin/ping");
        Directory.CreateDirectory(Path.GetDirectoryName(ping)!);
        File.WriteAllText(ping, "#!/bin/sh\n");
        NativeFiles.Lchown(ping, 1000, 1000);
        NativeFiles.Chmod(ping, (UnixFileMode)0b100_111_101_101);
        NativeFiles.SetXattr(ping, Capability, SampleTree.Capability);

        await _scenario.CopyAsync(line, from: FileSource.ForRootfs(_scenario.Stage));

        Assert.Equal(SampleTree.Capability, NativeFiles.GetXattr(_scenario.Image("/bin/ping"), Capability));
        Assert.Equal(owner, _scenario.Owner("/bin/ping"));
        Assert.Equal(mode, _scenario.Mode("/bin/ping"));
    }

    /// <summary>ramfs keeps no extended attributes at all, as some network and FUSE file systems.</summary>
    [RootFact]
    public void An_attribute_the_work_directory_cannot_store_is_an_error_naming_it_and_the_fix()
    {
        var source = _scenario.Context.File("tagged", "data");
        NativeFiles.SetXattr(source, "user.xdg.origin.url", Value);
        var ramfs = Directory.CreateTempSubdirectory("drydock-ramfs-").FullName;
        using (var mount = System.Diagnostics.Process.Start("mount", ["-t", "ramfs", "ramfs", ramfs]))
        {
            mount.WaitForExit();
            Assert.Equal(0, mount.ExitCode);
        }

        try
        {
            var target = Path.Combine(ramfs, "tagged");
            File.WriteAllText(target, "data");

            var error = Assert.Throws<IOException>(() => CopiedXattrs.Copy(source, target));

            Assert.Contains("user.xdg.origin.url", error.Message, StringComparison.Ordinal);
            Assert.Contains("set TMPDIR to a directory on ext4 or xfs", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            NativeMounts.Unmount(ramfs);
            Directory.Delete(ramfs);
        }
    }
}

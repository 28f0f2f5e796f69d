using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Drydock.Context;

namespace Drydock.Tests.Context;

/// <summary>
/// Tar contexts opened for real: what they unpack, how .dockerignore and the sub-path apply, and
/// that a hostile archive cannot touch anything outside the context.
/// </summary>
public sealed class ContextArchiveTests : IDisposable
{
    private readonly TempDirectory _scratch = new("drydock-ctx-");

    public ContextArchiveTests()
    {
        Directory.CreateDirectory(Work);
        System.IO.File.WriteAllText(Sentinel, "untouched");
    }

    private string Work => _scratch.Combine("work", "deep", "er");

    // Two levels above the work directory, which is where "../../" from the context would land.
    private string Sentinel => _scratch.Combine("work", "sentinel");

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public async Task A_gzip_tar_context_is_unpacked_with_its_dockerignore_and_sub_path()
    {
        var archive = Archive(gzip: true, tar =>
        {
            File(tar, "app/Dockerfile", "FROM scratch\n");
            File(tar, "app/.dockerignore", "*.log\n");
            File(tar, "app/x.log", "log");
            File(tar, "app/main.c", "int main;");
        });

        await using (var context = await OpenAsync(ContextSource.Parse("tar://" + archive) with { SubPath = "app" }))
        {
            Assert.Equal("FROM scratch\n", await context.ReadDockerfileAsync(CancellationToken.None));
            Assert.True(context.Ignore.IsExcluded("x.log"));
            Assert.Single(context.ResolveSources("main.c"));
            Assert.StartsWith(Work, context.Root, StringComparison.Ordinal);
        }

        // The unpacked copy goes with the context.
        Assert.DoesNotContain(Path.Combine(Work, "context"), Directory.EnumerateFileSystemEntries(Work));
    }

    [Fact]
    public async Task A_hostile_archive_leaves_everything_outside_the_context_untouched()
    {
        var archive = Archive(gzip: false, tar =>
        {
            File(tar, "Dockerfile", "FROM scratch\n");
            File(tar, "../../sentinel", "climbed");
            File(tar, "/abs-file", "absolute");
            Link(tar, TarEntryType.SymbolicLink, "out", "../..");
            File(tar, "out/sentinel", "through a relative link");
            Link(tar, TarEntryType.SymbolicLink, "abs", Path.GetDirectoryName(Sentinel)!);
            File(tar, "abs/sentinel", "through an absolute link");
            File(tar, "abs/new", "new file");
            Link(tar, TarEntryType.HardLink, "hard", "../../sentinel");
        });

        await using (var context = await OpenAsync(ContextSource.Parse("tar://" + archive)))
        {
            // Names and links that climb are taken as if the context were "/": they stay inside.
            Assert.Equal("through a relative link", System.IO.File.ReadAllText(Path.Combine(context.Root, "sentinel")));
        }

        Assert.Equal("untouched", System.IO.File.ReadAllText(Sentinel));
        Assert.False(System.IO.File.Exists(Path.Combine(Path.GetDirectoryName(Sentinel)!, "new")));
        Assert.False(System.IO.File.Exists("/abs-file"));
    }

    [Fact]
    public async Task A_device_node_ends_the_build_naming_the_archive()
    {
        var archive = Archive(gzip: false, tar =>
        {
            File(tar, "Dockerfile", "FROM scratch\n");
            tar.WriteEntry(new UstarTarEntry(TarEntryType.CharacterDevice, "null") { DeviceMajor = 1, DeviceMinor = 3 });
        });

        var e = await Assert.ThrowsAsync<BuildContextException>(() => OpenAsync(ContextSource.Parse("tar://" + archive)));

        Assert.Equal($"build context tar://{archive} cannot be unpacked as a tar archive: entry 'null' is a device node, which is refused here", e.Message);
        Assert.False(Directory.Exists(Path.Combine(Work, "context")));
    }

    // The archive: Dockerfile's header and data (0-1024), big's header (1024-1536) and data (1536-5632), zero blocks.
    [Theory]
    [InlineData(true, 60, "")]
    [InlineData(false, 700, "")]
    [InlineData(false, 1024, "it ends before its end-of-archive blocks, so it is truncated")]
    [InlineData(false, 2000, "the archive ends inside the data of 'big' (464 of 4000 bytes): it is truncated")]
    [InlineData(false, 5632, "it ends before its end-of-archive blocks, so it is truncated")]
    public async Task A_truncated_archive_names_itself(bool gzip, int keep, string why)
    {
        var archive = Archive(gzip, tar =>
        {
            File(tar, "Dockerfile", "FROM scratch\n");
            File(tar, "big", new string('x', 4000));
        });
        var cut = _scratch.Combine("cut.tar");
        System.IO.File.WriteAllBytes(cut, System.IO.File.ReadAllBytes(archive)[..keep]);

        var e = await Assert.ThrowsAsync<BuildContextException>(() => OpenAsync(ContextSource.Parse("tar://" + cut)));

        Assert.StartsWith($"build context tar://{cut} cannot be unpacked as a tar archive: ", e.Message);
        Assert.True(e.Message.Contains(why, StringComparison.Ordinal), e.Message);
    }

    [Fact]
    public async Task Standard_input_is_read_from_the_stream_the_caller_gives()
    {
        var archive = Archive(gzip: true, tar => File(tar, "Dockerfile", "FROM scratch\n"));

        await using var context = await OpenAsync(ContextSource.Parse("-") with { StandardInput = () => System.IO.File.OpenRead(archive) });

        Assert.Equal("FROM scratch\n", await context.ReadDockerfileAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_missing_sub_path_is_a_one_line_error_naming_the_context()
    {
        var archive = Archive(gzip: false, tar => File(tar, "Dockerfile", "FROM scratch\n"));

        var missing = await Assert.ThrowsAsync<BuildContextException>(() => OpenAsync(ContextSource.Parse("tar://" + archive) with { SubPath = "nope" }));

        Assert.Equal($"build context tar://{archive} has no directory nope (the context sub-path)", missing.Message);
    }

    [Fact]
    public async Task An_empty_archive_and_one_without_a_dockerfile_say_which_context()
    {
        var empty = Path.Combine(Work, "empty.tar");
        await System.IO.File.WriteAllBytesAsync(empty, []);
        var noDockerfile = Archive(gzip: true, tar => File(tar, "a.txt", "a"));

        var emptyError = await Assert.ThrowsAsync<BuildContextException>(() => OpenAsync(ContextSource.Parse("-") with { StandardInput = () => System.IO.File.OpenRead(empty) }));
        var missing = await Assert.ThrowsAsync<BuildContextException>(() => OpenAsync(ContextSource.Parse("tar://" + noDockerfile)));

        Assert.Equal("build context tar://stdin is empty: give it a tar archive", emptyError.Message);
        Assert.StartsWith($"build context tar://{noDockerfile}: Dockerfile not found at {Path.Combine(Work, "context", "Dockerfile")}", missing.Message);
    }

    private Task<DirectoryContext> OpenAsync(ContextSource source) =>
        BuildContextOpener.OpenAsync(source, dockerfile: null, Work, _ => null, warn: null, CancellationToken.None);

    private string Archive(bool gzip, Action<TarWriter> write)
    {
        var path = Path.Combine(Work, Guid.NewGuid().ToString("N") + ".tar");
        using var file = System.IO.File.Create(path);
        using (Stream stream = gzip ? new GZipStream(file, CompressionLevel.Fastest) : file)
        using (var tar = new TarWriter(stream, TarEntryFormat.Ustar, leaveOpen: true))
        {
            write(tar);
        }

        return path;
    }

    private static void File(TarWriter tar, string name, string content) =>
        tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)) });

    private static void Link(TarWriter tar, TarEntryType type, string name, string target) =>
        tar.WriteEntry(new UstarTarEntry(type, name) { LinkName = target });
}

using System.Formats.Tar;
using System.IO.Compression;
using Drydock.Building;
using Drydock.Tests.Building.Copy;

namespace Drydock.Tests.Building.Steps;

public sealed class AddStepTests : IDisposable
{
    private readonly CopyScenario _scenario = new();

    private Drydock.Tests.Context.TempTree Context => _scenario.Context;

    public void Dispose() => _scenario.Dispose();

    [RootFact]
    public async Task Local_tar_archives_are_unpacked_into_the_destination_which_keeps_its_own_metadata()
    {
        WriteArchive("app.tar", gzip: false);
        WriteArchive("app.tar.gz", gzip: true);

        await _scenario.AddAsync("ADD app.tar /opt/plain");
        await _scenario.AddAsync("ADD --chown=5:6 --chmod=600 app.tar.gz /opt/gz/");

        foreach (var root in new[] { "/opt/plain", "/opt/gz" })
        {
            Assert.Equal(["dir/", "dir/f", "dir/link"], _scenario.Listing(root));
            Assert.Equal("payload", File.ReadAllText(_scenario.Image(root + "/dir/f")));

            // The archive's own owners and modes count, not --chown and --chmod (as in BuildKit).
            Assert.Equal("1234:4321", _scenario.Owner(root + "/dir/f"));
            Assert.Equal("640", _scenario.Mode(root + "/dir/f"));

            // Its "./" entry (0700, owned by 99) does not touch the destination.
            Assert.Equal("755", _scenario.Mode(root));
        }

        Assert.Equal("0:0", _scenario.Owner("/opt/plain"));
        Assert.Equal("5:6", _scenario.Owner("/opt/gz"));
    }

    [RootFact]
    public async Task Unpack_false_adds_the_archive_as_a_file()
    {
        WriteArchive("app.tar.gz", gzip: true);

        await _scenario.AddAsync("ADD --unpack=false app.tar.gz /opt/");

        Assert.Equal(["app.tar.gz"], _scenario.Listing("/opt"));
    }

    [RootFact]
    public async Task What_is_no_tar_archive_is_added_as_a_file_whatever_its_name()
    {
        Context.File("fake.tar.gz", "not an archive");
        Context.File("empty.tar", "");
        await using (var gzip = new GZipStream(File.Create(Context.In("text.gz")), CompressionLevel.Fastest))
        {
            await gzip.WriteAsync("just text"u8.ToArray());
        }

        await _scenario.AddAsync("ADD fake.tar.gz empty.tar text.gz /files/");

        Assert.Equal(["empty.tar", "fake.tar.gz", "text.gz"], _scenario.Listing("/files"));
    }

    [RootFact]
    public async Task Archives_inside_a_directory_source_are_copied_not_unpacked()
    {
        WriteArchive("d/app.tar", gzip: false);
        Context.File("d/keep.log", "x");

        await _scenario.AddAsync("ADD --exclude=*.log d /d/");

        Assert.Equal(["app.tar"], _scenario.Listing("/d"));
    }

    [RootFact]
    public async Task A_compressed_file_that_holds_no_tar_is_added_as_it_is()
    {
        // An xz header and then garbage: no tar inside, so Docker adds the file, as here.
        File.WriteAllBytes(Context.In("app.tar.xz"), [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00, 1, 2, 3]);

        await _scenario.AddAsync("ADD app.tar.xz /opt/");

        Assert.Equal(["app.tar.xz"], _scenario.Listing("/opt"));
    }

    [RootFact]
    public async Task A_broken_archive_fails_with_a_way_out()
    {
        WriteArchive("app.tar", gzip: false);
        var whole = File.ReadAllBytes(Context.In("app.tar"));
        File.WriteAllBytes(Context.In("cut.tar"), whole[..700]);

        var error = await Assert.ThrowsAsync<BuildException>(() => _scenario.AddAsync("ADD cut.tar /opt/"));

        Assert.StartsWith("Dockerfile:2:1: ADD: cannot unpack cut.tar: ", error.Message);
        Assert.Contains("--unpack=false", error.Message);
    }

    [Theory]
    [InlineData("ADD --checksum=sha256:0000000000000000000000000000000000000000000000000000000000000000 a /a", "requires an http(s) or git source")]
    [InlineData("ADD --checksum=sha256:0000000000000000000000000000000000000000000000000000000000000000 http://127.0.0.1:9/a http://127.0.0.1:9/b /d/", "multiple sources")]
    [InlineData("ADD --checksum=md5:abc http://127.0.0.1:9/a /a", "invalid --checksum=md5:abc")]
    [InlineData("ADD --checksum=sha256:0000000000000000000000000000000000000000000000000000000000000000 https://github.com/moby/buildkit.git /bk", "expected a commit hash")]
    [InlineData("ADD --checksum=v0.10.1 git@github.com:moby/buildkit.git /bk", "expected a commit hash")]
    [InlineData("ADD git://127.0.0.1:9/repo.git#--upload-pack=x /bk", "a ref cannot start with '-'")]
    [InlineData("ADD --chmod=abc a /a", "invalid --chmod=abc")]
    [InlineData("ADD git://127.0.0.1:9/repo.git?ref=v1#v2 /bk", "invalid git URL git://127.0.0.1:9/repo.git?ref=v1#v2: ref conflicts")]
    [InlineData("ADD --keep-git-dir=false git://127.0.0.1:9/repo.git?keep-git-dir=true /bk", "inconsistent keep-git-dir configuration: --keep-git-dir=false but git://127.0.0.1:9/repo.git?keep-git-dir=true")]
    [InlineData("ADD --checksum=abc git://127.0.0.1:9/repo.git?checksum=def /bk", "checksum mismatch: --checksum=abc but git://127.0.0.1:9/repo.git?checksum=def")]
    public async Task Bad_adds_fail_at_their_line_before_anything_is_fetched(string line, string expected)
    {
        Context.File("a");

        var error = await Assert.ThrowsAsync<BuildException>(() => _scenario.AddAsync(line));

        Assert.StartsWith("Dockerfile:2:1: ADD: ", error.Message);
        Assert.Contains(expected, error.Message);
    }

    /// <summary>An archive with a "./" entry, a directory, a file and a symlink, owned and moded unlike the defaults.</summary>
    private void WriteArchive(string relativePath, bool gzip)
    {
        var path = Context.In(relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var file = File.Create(path);
        using Stream output = gzip ? new GZipStream(file, CompressionLevel.Fastest) : file;
        using var tar = new TarWriter(output, TarEntryFormat.Pax);
        tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "./") { Mode = (UnixFileMode)0b111_000_000, Uid = 99, Gid = 99 });
        tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "./dir/") { Mode = (UnixFileMode)0b111_101_101 });
        tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "./dir/f")
        {
            Mode = (UnixFileMode)0b110_100_000,
            Uid = 1234,
            Gid = 4321,
            DataStream = new MemoryStream("payload"u8.ToArray()),
        });
        tar.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "./dir/link") { LinkName = "/dir/f" });
    }
}

using System.Formats.Tar;
using System.IO.Compression;
using Drydock.Building.Steps;
using Drydock.Building;
using Drydock.Layers;

namespace Drydock.Tests.Building.Steps;

public sealed class AddArchiveTests
{
    [Theory]
    [InlineData(new byte[] { 0x1F, 0x8B, 0x08, 0 }, "Gzip")]
    [InlineData(new byte[] { 0x42, 0x5A, 0x68, 0x39 }, "Bzip2")]
    [InlineData(new byte[] { 0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00 }, "Xz")]
    [InlineData(new byte[] { 0x28, 0xB5, 0x2F, 0xFD }, "Zstd")]
    [InlineData(new byte[] { 0x1F, 0x8B }, "None")]
    [InlineData(new byte[] { (byte)'h', (byte)'i' }, "None")]
    public void Compression_is_told_by_magic_number(byte[] start, string expected) =>
        Assert.Equal(expected, ArchiveStreams.CompressionOf(start).ToString());

    [Fact]
    public void A_tar_header_is_told_by_its_checksum()
    {
        using var buffer = new MemoryStream();
        using (var tar = new TarWriter(buffer, TarEntryFormat.Ustar, leaveOpen: true))
        {
            tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, "file"));
        }

        var header = buffer.ToArray()[..512];
        Assert.True(AddArchive.IsTarHeader(header));

        header[0] ^= 1;
        Assert.False(AddArchive.IsTarHeader(header));
        Assert.False(AddArchive.IsTarHeader(new byte[512]));
        Assert.False(AddArchive.IsTarHeader(new byte[100]));
    }

    [Fact]
    public async Task Detection_looks_inside_gzip()
    {
        var path = Path.GetTempFileName();
        try
        {
            await using (var gzip = new GZipStream(File.Create(path), CompressionLevel.Fastest))
            await using (var tar = new TarWriter(gzip, TarEntryFormat.Gnu))
            {
                await tar.WriteEntryAsync(new GnuTarEntry(TarEntryType.Directory, "d/"));
            }

            Assert.Equal(ArchiveCompression.Gzip, await AddArchive.DetectAsync(path, CancellationToken.None));

            await File.WriteAllBytesAsync(path, [0x1F, 0x8B, 0x08, 0, 1, 2, 3]);
            Assert.Null(await AddArchive.DetectAsync(path, CancellationToken.None));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Tar_headers_of_the_host_tar_are_recognised()
    {
        // GNU tar's own output, not ours: the check must not only accept what System.Formats.Tar writes.
        using var directory = new TempDirectory("drydock-tar-");
        File.WriteAllText(Path.Combine(directory, "f"), "x");
        var archive = Path.Combine(directory, "a.tar");
        using (var process = System.Diagnostics.Process.Start("tar", ["-C", directory, "-cf", archive, "f"]))
        {
            process.WaitForExit();
        }

        Assert.True(AddArchive.IsTarHeader(File.ReadAllBytes(archive).AsSpan(0, 512)));
    }
}

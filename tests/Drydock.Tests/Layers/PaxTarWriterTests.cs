using System.Formats.Tar;
using Drydock.Layers;
using Drydock.Native;

namespace Drydock.Tests.Layers;

public sealed class PaxTarWriterTests
{
    [Fact]
    public async Task Fields_that_do_not_fit_ustar_travel_in_pax_records()
    {
        var longName = new string('n', 150) + "/été";
        var output = new MemoryStream();
        var writer = new PaxTarWriter(output, subsecondTimes: true);
        await using (writer)
        {
            await writer.WriteEntryAsync(
                new TarEntryHeader
                {
                    Name = longName,
                    Type = TarEntryType.RegularFile,
                    Mode = (UnixFileMode)0xDED,
                    Uid = 3_000_000,
                    Gid = 5,
                    Size = 3,
                    ModificationTime = new FileTime(-10, 5),
                    Xattrs = [new("user.bin", [0x80, 0x00, 0x41])],
                },
                new MemoryStream("abc"u8.ToArray()),
                CancellationToken.None);
            await writer.WriteEntryAsync(
                new TarEntryHeader { Name = "link", Type = TarEntryType.SymbolicLink, LinkName = new string('t', 200) },
                null,
                CancellationToken.None);
            await writer.FinishAsync(CancellationToken.None);
        }

        output.Position = 0;
        using var reader = new TarReader(output);
        var file = (PaxTarEntry)reader.GetNextEntry(copyData: true)!;
        Assert.Equal(longName, file.Name);
        Assert.Equal((3_000_000, 5, (UnixFileMode)0xDED), (file.Uid, file.Gid, file.Mode));
        Assert.Equal("-9.999999995", file.ExtendedAttributes["mtime"]);
        Assert.True(file.ExtendedAttributes.ContainsKey("SCHILY.xattr.user.bin"));
        Assert.Equal("abc", new StreamReader(file.DataStream!).ReadToEnd());
        var link = reader.GetNextEntry()!;
        Assert.Equal(new string('t', 200), link.LinkName);
        Assert.Null(reader.GetNextEntry());
        Assert.Equal(0, output.Length % 512);
    }

    [Fact]
    public async Task Data_shorter_than_declared_is_zero_filled_and_reported()
    {
        var output = new MemoryStream();
        var writer = new PaxTarWriter(output, subsecondTimes: false);
        bool complete;
        await using (writer)
        {
            complete = await writer.WriteEntryAsync(
                new TarEntryHeader { Name = "f", Type = TarEntryType.RegularFile, Size = 1000 },
                new MemoryStream(new byte[10]),
                CancellationToken.None);
            await writer.FinishAsync(CancellationToken.None);
        }

        Assert.False(complete);
        Assert.Equal(512 + 1024 + 1024, output.Length);
    }
}

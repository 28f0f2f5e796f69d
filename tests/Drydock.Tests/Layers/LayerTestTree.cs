using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using Drydock.Layers;
using Drydock.Native;
using Drydock.Oci;

namespace Drydock.Tests.Layers;

/// <summary>
/// A temp directory holding a rootfs and, beside it, an "outside" directory with a sentinel file
/// that no layer may ever touch.
/// </summary>
internal sealed class LayerTestTree : IDisposable
{
    public const string SentinelText = "sentinel: must never change";

    private readonly TempDirectory _base = new("drydock-layers-");

    public LayerTestTree()
    {
        Rootfs = Path.Combine(Base, "rootfs");
        Outside = Path.Combine(Base, "outside");
        Directory.CreateDirectory(Rootfs);
        Directory.CreateDirectory(Outside);
        Sentinel = Path.Combine(Outside, "sentinel");
        File.WriteAllText(Sentinel, SentinelText);
        SentinelStatus = NativeFiles.Lstat(Sentinel);
    }

    public string Base => _base.Path;

    public string Rootfs { get; }

    public string Outside { get; }

    public string Sentinel { get; }

    public FileStatus SentinelStatus { get; }

    public List<string> Warnings { get; } = [];

    public LayerExtractOptions Options => new() { Warn = Warnings.Add };

    public string InRoot(string imagePath) => Path.Combine(Rootfs, imagePath.TrimStart('/'));

    public Task<LayerExtractResult> ExtractAsync(byte[] tar, LayerExtractOptions? options = null) =>
        LayerExtractor.ExtractAsync(new MemoryStream(tar), LayerCompression.None, Rootfs, options ?? Options, CancellationToken.None);

    /// <summary>Nothing beside the rootfs changed: the sentinel is intact and alone.</summary>
    public void AssertOutsideUntouched()
    {
        Assert.Equal(SentinelText, File.ReadAllText(Sentinel));
        var now = NativeFiles.Lstat(Sentinel);
        Assert.Equal(SentinelStatus.Inode, now.Inode);
        Assert.Equal(1u, now.LinkCount);
        Assert.Equal(SentinelStatus.ModificationTime, now.ModificationTime);
        Assert.Equal([Sentinel], Directory.GetFileSystemEntries(Outside));
        Assert.Equal(new[] { Outside, Rootfs }.Order(StringComparer.Ordinal), Directory.GetFileSystemEntries(Base).Order(StringComparer.Ordinal));
    }

    public void Dispose() => _base.Dispose();
}

/// <summary>Builds tar archives in memory with System.Formats.Tar's TarWriter.</summary>
internal sealed class TestTar
{
    private static readonly DateTimeOffset DefaultTime = DateTimeOffset.FromUnixTimeSeconds(1_600_000_000);
    private readonly MemoryStream _stream = new();
    private readonly TarWriter _writer;

    public TestTar(TarEntryFormat format = TarEntryFormat.Pax)
    {
        Format = format;
        _writer = new TarWriter(_stream, format, leaveOpen: true);
    }

    public TarEntryFormat Format { get; }

    public TestTar File(string name, string content, UnixFileMode mode = (UnixFileMode)0x1A4, int uid = 0, int gid = 0, DateTimeOffset? mtime = null, IDictionary<string, string>? pax = null)
    {
        var entry = Entry(TarEntryType.RegularFile, name, mode, uid, gid, mtime, pax);
        entry.DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content));
        _writer.WriteEntry(entry);
        return this;
    }

    public TestTar Dir(string name, UnixFileMode mode = (UnixFileMode)0x1ED, int uid = 0, int gid = 0, DateTimeOffset? mtime = null) =>
        Add(Entry(TarEntryType.Directory, name, mode, uid, gid, mtime, null));

    public TestTar Symlink(string name, string target, int uid = 0, int gid = 0)
    {
        var entry = Entry(TarEntryType.SymbolicLink, name, (UnixFileMode)0x1FF, uid, gid, null, null);
        entry.LinkName = target;
        return Add(entry);
    }

    public TestTar Hardlink(string name, string target)
    {
        var entry = Entry(TarEntryType.HardLink, name, (UnixFileMode)0x1A4, 0, 0, null, null);
        entry.LinkName = target;
        return Add(entry);
    }

    public TestTar Device(string name, TarEntryType type, int major, int minor, UnixFileMode mode = (UnixFileMode)0x1B0)
    {
        var entry = (PosixTarEntry)Entry(type, name, mode, 0, 0, null, null);
        entry.DeviceMajor = major;
        entry.DeviceMinor = minor;
        return Add(entry);
    }

    public TestTar Fifo(string name, UnixFileMode mode = (UnixFileMode)0x1A4) =>
        Add(Entry(TarEntryType.Fifo, name, mode, 0, 0, null, null));

    /// <summary>An empty regular file: how whiteouts and opaque markers travel.</summary>
    public TestTar Empty(string name) => File(name, "");

    public byte[] ToArray()
    {
        _writer.Dispose();
        return _stream.ToArray();
    }

    public static byte[] Gzip(byte[] tar)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(tar);
        }

        return output.ToArray();
    }

    private TestTar Add(TarEntry entry)
    {
        _writer.WriteEntry(entry);
        return this;
    }

    private TarEntry Entry(TarEntryType type, string name, UnixFileMode mode, int uid, int gid, DateTimeOffset? mtime, IDictionary<string, string>? pax)
    {
        TarEntry entry = Format switch
        {
            TarEntryFormat.Pax => pax is null ? new PaxTarEntry(type, name) : new PaxTarEntry(type, name, pax),
            TarEntryFormat.Gnu => new GnuTarEntry(type, name),
            _ => new UstarTarEntry(type, name),
        };
        entry.Mode = mode;
        entry.Uid = uid;
        entry.Gid = gid;
        entry.ModificationTime = mtime ?? DefaultTime;
        return entry;
    }
}

/// <summary>Runs an independent tool (GNU tar, gzip) and returns what it printed.</summary>
internal static class Tool
{
    public static async Task<string> RunAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var output = await stdout;
        var errors = await stderr;
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', arguments)} exited {process.ExitCode}: {errors}");
        return output;
    }
}

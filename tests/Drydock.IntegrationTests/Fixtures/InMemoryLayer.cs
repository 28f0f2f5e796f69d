using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using Drydock.Oci;

namespace Drydock.IntegrationTests.Fixtures;

/// <summary>
/// A small gzip layer built in memory from a few files, made with System.Formats.Tar and GZipStream
/// rather than Drydock's layer writer. Counts how often it is opened, so push tests can tell an
/// upload from a skip.
/// </summary>
public sealed class InMemoryLayer : ILayer
{
    private readonly byte[] _compressed;
    private int _opens;

    private InMemoryLayer(byte[] compressed, Digest diffId, bool docker)
    {
        _compressed = compressed;
        DiffId = diffId;
        Descriptor = new Descriptor
        {
            MediaType = docker ? MediaTypes.DockerLayerGzip : MediaTypes.OciLayerGzip,
            Digest = Digest.Sha256(compressed),
            Size = compressed.Length,
        };
    }

    public Descriptor Descriptor { get; }

    public Digest DiffId { get; }

    /// <summary>How many times the blob was opened.</summary>
    public int Opens => Volatile.Read(ref _opens);

    /// <summary>A layer holding the given regular files (path inside the image → content), mode 0644, owned by root.</summary>
    public static InMemoryLayer FromFiles(IReadOnlyDictionary<string, byte[]> files, bool dockerMediaType = false)
    {
        var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (path, content) in files)
            {
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, path.TrimStart('/'))
                {
                    DataStream = new MemoryStream(content),
                    Mode = (UnixFileMode)0b110_100_100,
                    ModificationTime = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero),
                });
            }
        }

        var uncompressed = tar.ToArray();
        var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(uncompressed);
        }

        return new InMemoryLayer(compressed.ToArray(), Digest.FromSha256Hash(SHA256.HashData(uncompressed)), dockerMediaType);
    }

    /// <summary>A layer with one file of random content, so its digest is new to every registry.</summary>
    public static InMemoryLayer Random(string path = "/random.bin", int size = 1024, bool dockerMediaType = false) =>
        FromFiles(new Dictionary<string, byte[]> { [path] = RandomNumberGenerator.GetBytes(size) }, dockerMediaType);

    public Task<Stream> OpenCompressedAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _opens);
        return Task.FromResult<Stream>(new MemoryStream(_compressed, writable: false));
    }
}

using System.Formats.Tar;
using System.Text.Json;
using System.Text.Json.Serialization;
using Drydock.Foundation.Streams;

namespace Drydock.Oci.DockerArchive;

/// <summary>
/// Writes an image as a tarball that <c>docker load</c> and <c>skopeo copy docker-archive:</c>
/// accept. Like <c>docker save</c> since Docker 25 it is both a docker-archive (manifest.json)
/// and an OCI layout, with every file under blobs/sha256/.
/// </summary>
public static class DockerArchiveWriter
{
    public static async Task WriteAsync(IImage image, string path, IReadOnlyList<string> repoTags, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var file = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16, useAsync: true);
        await using (file.ConfigureAwait(false))
        {
            var tar = new TarWriter(file, TarEntryFormat.Pax, leaveOpen: true);
            await using (tar.ConfigureAwait(false))
            {
                await WriteDirectoryAsync(tar, "blobs/sha256/", cancellationToken).ConfigureAwait(false);
                await WriteBytesAsync(tar, BlobName(image.Manifest.Config.Digest), image.RawConfig, cancellationToken).ConfigureAwait(false);
                foreach (var layer in image.Layers.DistinctBy(l => l.Descriptor.Digest))
                {
                    var data = await layer.OpenCompressedAsync(cancellationToken).ConfigureAwait(false);
                    await using (data.ConfigureAwait(false))
                    {
                        var entry = FileEntry(BlobName(layer.Descriptor.Digest));
                        // Its size said up front, so the tar writer streams it rather than holding it in memory to measure it.
                        entry.DataStream = new KnownLengthReadStream(data, layer.Descriptor.Size);
                        await tar.WriteEntryAsync(entry, cancellationToken).ConfigureAwait(false);
                    }
                }

                await WriteBytesAsync(tar, BlobName(image.ManifestDigest), image.RawManifest, cancellationToken).ConfigureAwait(false);
                var legacy = new[]
                {
                    new LegacyManifestEntry(
                        BlobName(image.Manifest.Config.Digest),
                        repoTags,
                        image.Layers.Select(l => BlobName(l.Descriptor.Digest)).ToArray()),
                };
                await WriteBytesAsync(tar, "manifest.json", JsonSerializer.SerializeToUtf8Bytes(legacy, DockerArchiveJson.Default.LegacyManifestEntryArray), cancellationToken).ConfigureAwait(false);
                var index = new ImageIndex
                {
                    MediaType = MediaTypes.OciIndex,
                    Manifests = [ImageDescriptor.Of(image, repoTags.Count > 0 ? new Dictionary<string, string> { ["io.containerd.image.name"] = repoTags[0] } : null)],
                };
                await WriteBytesAsync(tar, "index.json", OciJson.Serialize(index), cancellationToken).ConfigureAwait(false);
                await WriteBytesAsync(tar, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}"u8.ToArray(), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static string BlobName(Digest digest) => $"blobs/{digest.Algorithm}/{digest.Hex}";

    private static PaxTarEntry FileEntry(string name) => new(TarEntryType.RegularFile, name)
    {
        Mode = (UnixFileMode)0b110_100_100,
        ModificationTime = DateTimeOffset.UnixEpoch,
    };

    private static async Task WriteDirectoryAsync(TarWriter tar, string name, CancellationToken cancellationToken)
    {
        var directory = new PaxTarEntry(TarEntryType.Directory, name)
        {
            Mode = (UnixFileMode)0b111_101_101,
            ModificationTime = DateTimeOffset.UnixEpoch,
        };
        await tar.WriteEntryAsync(directory, cancellationToken).ConfigureAwait(false);
    }

    private static async Task WriteBytesAsync(TarWriter tar, string name, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var entry = FileEntry(name);
        entry.DataStream = new MemoryStream(data.ToArray(), writable: false);
        await tar.WriteEntryAsync(entry, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>One image in a docker-archive's manifest.json.</summary>
public sealed record LegacyManifestEntry(
    [property: JsonPropertyName("Config")] string Config,
    [property: JsonPropertyName("RepoTags")] IReadOnlyList<string> RepoTags,
    [property: JsonPropertyName("Layers")] IReadOnlyList<string> Layers);

[JsonSerializable(typeof(LegacyManifestEntry[]))]
internal sealed partial class DockerArchiveJson : JsonSerializerContext;

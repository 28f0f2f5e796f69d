using System.Text.Json;
using System.Text.RegularExpressions;

namespace Drydock.Oci.DockerArchive;

/// <summary>
/// Reads an image out of a docker-archive tarball (<c>docker save</c>, <c>skopeo copy
/// docker-archive:</c>, <see cref="DockerArchiveWriter"/>): manifest.json names the config and the
/// layer tars. Every blob read is verified against its digest; layers are read in place when
/// opened. When the archive also holds the image's manifest (an OCI index.json, as Docker 25 and
/// Drydock write), that manifest is the image's; otherwise one is made, in Docker's media types.
/// </summary>
public static partial class DockerArchiveReader
{
    // gzip's and zstd's magic numbers; anything else is taken for a plain tar.
    private static readonly byte[] GzipMagic = [0x1f, 0x8b];
    private static readonly byte[] ZstdMagic = [0x28, 0xb5, 0x2f, 0xfd];

    /// <summary>
    /// Reads the image tagged <paramref name="tag"/> (one of its RepoTags), or the archive's only
    /// image when no tag is given.
    /// </summary>
    public static async Task<IImage> ReadAsync(string path, string? tag, CancellationToken cancellationToken)
    {
        var where = $"docker archive {path}";
        var archive = await TarMembers.IndexAsync(path, cancellationToken).ConfigureAwait(false);
        var entry = Select(await ReadListAsync(archive, where, cancellationToken).ConfigureAwait(false), tag, where);

        var configMember = archive.Get(entry.Config, where);
        var configDescriptor = new Descriptor
        {
            MediaType = MediaTypes.DockerConfig,
            Digest = DigestInName(entry.Config) ?? await archive.HashAsync(configMember, cancellationToken).ConfigureAwait(false),
            Size = configMember.Length,
        };
        var rawConfig = await SmallBlobs.ReadVerifiedAsync(
            archive.Open(configMember), configDescriptor, SmallBlobs.MaxConfigSize, $"config {entry.Config} in {where}", cancellationToken).ConfigureAwait(false);
        var config = SmallBlobs.Parse(() => OciJson.ReadConfig(rawConfig), where);
        var diffIds = config.RootFs.DiffIds;
        if (diffIds.Count != entry.Layers.Count)
        {
            throw new InvalidDataException($"{where}: manifest.json lists {entry.Layers.Count} layers but the config has {diffIds.Count} diff_ids.");
        }

        var stored = await StoredManifestAsync(archive, entry, configDescriptor.Digest, where, cancellationToken).ConfigureAwait(false);
        var layers = new ILayer[entry.Layers.Count];
        for (var i = 0; i < layers.Length; i++)
        {
            var member = archive.Get(entry.Layers[i], where);
            var descriptor = stored?.Manifest.Layers[i] ?? await DescribeLayerAsync(archive, member, diffIds[i], cancellationToken).ConfigureAwait(false);
            layers[i] = new ArchiveLayer(archive, member, descriptor, diffIds[i]);
        }

        if (stored is { } found)
        {
            return Image.FromStored(found.Manifest, found.Raw, found.MediaType, config, rawConfig, layers);
        }

        var manifest = new Manifest
        {
            MediaType = MediaTypes.DockerManifest,
            Config = configDescriptor,
            Layers = layers.Select(l => l.Descriptor).ToArray(),
        };
        return Image.FromStored(manifest, OciJson.Serialize(manifest), MediaTypes.DockerManifest, config, rawConfig, layers);
    }

    private static async Task<LegacyManifestEntry[]> ReadListAsync(TarMembers archive, string where, CancellationToken cancellationToken)
    {
        var raw = await ReadUnverifiedAsync(archive, "manifest.json", where, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidDataException($"{where} has no manifest.json: it is not a docker archive.");
        try
        {
            return JsonSerializer.Deserialize(raw, DockerArchiveJson.Default.LegacyManifestEntryArray)
                ?? throw new InvalidDataException($"{where}: manifest.json is empty (null).");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{where}: manifest.json is not valid: {e.Message}", e);
        }
    }

    private static LegacyManifestEntry Select(LegacyManifestEntry[] entries, string? tag, string where)
    {
        if (tag is null)
        {
            return entries.Length == 1
                ? entries[0]
                : throw new InvalidDataException($"{where} holds {entries.Length} images; name one by its tag.");
        }

        return entries.FirstOrDefault(e => e.RepoTags?.Contains(tag) == true)
            ?? throw new InvalidDataException($"{where} has no image tagged '{tag}'; it has {string.Join(", ", entries.SelectMany(e => e.RepoTags ?? []))}.");
    }

    /// <summary>
    /// The manifest the archive holds for this image, if any: an index.json entry whose manifest
    /// blob is in the archive and names the same config and layer files.
    /// </summary>
    private static async Task<StoredManifest?> StoredManifestAsync(TarMembers archive, LegacyManifestEntry entry, Digest configDigest, string where, CancellationToken cancellationToken)
    {
        if (await ReadUnverifiedAsync(archive, "index.json", where, cancellationToken).ConfigureAwait(false) is not { } rawIndex)
        {
            return null;
        }

        var index = SmallBlobs.Parse(() => OciJson.ReadIndex(rawIndex), where);
        foreach (var candidate in index.Manifests.Where(m => MediaTypes.IsManifest(m.MediaType)))
        {
            if (!archive.TryGet(BlobName(candidate.Digest), out var member))
            {
                continue;
            }

            var raw = await SmallBlobs.ReadVerifiedAsync(
                archive.Open(member), candidate, SmallBlobs.MaxManifestSize, $"manifest {candidate.Digest} in {where}", cancellationToken).ConfigureAwait(false);
            var manifest = SmallBlobs.Parse(() => OciJson.ReadManifest(raw), where);
            if (manifest.Config.Digest == configDigest &&
                manifest.Layers.Select(l => BlobName(l.Digest)).SequenceEqual(entry.Layers.Select(Clean)))
            {
                return new StoredManifest(manifest, raw, manifest.MediaType ?? candidate.MediaType);
            }
        }

        return null;
    }

    /// <summary>A layer's descriptor from the file itself: its compression, and its digest when its name does not say it.</summary>
    private static async Task<Descriptor> DescribeLayerAsync(TarMembers archive, TarMember member, Digest diffId, CancellationToken cancellationToken)
    {
        var head = await archive.HeadAsync(member, ZstdMagic.Length, cancellationToken).ConfigureAwait(false);
        var (mediaType, plain) = head.AsSpan().StartsWith(GzipMagic) ? (MediaTypes.DockerLayerGzip, false)
            : head.AsSpan().StartsWith(ZstdMagic) ? (MediaTypes.OciLayerZstd, false)
            : (MediaTypes.DockerLayer, true);

        // A plain tar is its own blob: its digest is its diffID, checked when it is read.
        var digest = DigestInName(member.Name) ?? (plain ? diffId : await archive.HashAsync(member, cancellationToken).ConfigureAwait(false));
        return new Descriptor { MediaType = mediaType, Digest = digest, Size = member.Length };
    }

    /// <summary>Reads a small member that no digest names (manifest.json, index.json); null when absent.</summary>
    private static async Task<byte[]?> ReadUnverifiedAsync(TarMembers archive, string name, string where, CancellationToken cancellationToken)
    {
        if (!archive.TryGet(name, out var member))
        {
            return null;
        }

        if (member.Length > SmallBlobs.MaxManifestSize)
        {
            throw new InvalidDataException($"{where}: {name} is larger than {SmallBlobs.MaxManifestSize} bytes.");
        }

        var stream = archive.Open(member);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new MemoryStream((int)member.Length);
            await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            return buffer.ToArray();
        }
    }

    /// <summary>The digest a member's name states: <c>blobs/ALGORITHM/HEX</c>, or an old config's <c>HEX.json</c>.</summary>
    private static Digest? DigestInName(string name)
    {
        var match = DigestName().Match(Clean(name));
        return !match.Success ? null
            : Digest.TryParse($"{(match.Groups["alg"].Success ? match.Groups["alg"].Value : "sha256")}:{match.Groups["hex"].Value}", out var digest) ? digest
            : null;
    }

    private static string BlobName(Digest digest) => $"blobs/{digest.Algorithm}/{digest.Hex}";

    private static string Clean(string name) => name.StartsWith("./", StringComparison.Ordinal) ? name[2..] : name;

    [GeneratedRegex("^(?:blobs/(?<alg>sha256|sha512)/(?<hex>[0-9a-f]+)|(?<hex>[0-9a-f]{64})\\.json)$")]
    private static partial Regex DigestName();

    private sealed record StoredManifest(Manifest Manifest, byte[] Raw, string MediaType);
}

using System.Globalization;
using Drydock.Oci;
using Drydock.Oci.Layout;
using Drydock.Reference;

namespace Drydock.Cache;

/// <summary>
/// A directory of base images kept as one OCI image layout (<c>drydock warm</c> fills it, builds
/// read it with <c>--cache-dir</c>). Each index.json entry is one image manifest annotated with the
/// reference it was warmed as, the platform it was resolved for and when.
/// </summary>
/// <remarks>
/// A digest reference is content-addressed, so a copy serves at any age. A tag may move: its copy
/// serves only within the TTL, and then without asking the registry at all, so a build whose bases
/// were warmed works with their registry out of reach. An entry whose blobs are missing or damaged
/// counts as absent. Writers put blobs in place before the entry that names them, each through a
/// temporary file and a rename, and replace index.json under a lock the same way.
/// </remarks>
public sealed class BaseImageCache(string directory, TimeSpan ttl, TimeProvider? clock = null)
{
    /// <summary>The reference the image was warmed as, normalized (<c>docker.io/library/busybox:1.36</c>).</summary>
    public const string ReferenceAnnotation = OciLayoutWriter.RefNameAnnotation;

    /// <summary>When the image was warmed (RFC 3339, UTC).</summary>
    public const string WarmedAnnotation = "dev.drydock.warmed";

    /// <summary>The digest of the index the manifest was chosen from, so a FROM naming that index finds it too.</summary>
    public const string IndexDigestAnnotation = "dev.drydock.index.digest";

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public string Directory { get; } = Path.GetFullPath(directory);

    public TimeSpan Ttl { get; } = ttl;

    private string IndexPath => Path.Combine(Directory, "index.json");

    /// <summary>The copy of <paramref name="reference"/> for <paramref name="platform"/> this directory can serve, or why there is none.</summary>
    public async Task<BaseImageLookup> LookupAsync(ImageReference reference, Platform platform, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (!File.Exists(IndexPath))
        {
            return BaseImageLookup.Missed("nothing has been warmed there");
        }

        IReadOnlyList<WarmedEntry> entries;
        try
        {
            entries = (await OciLayoutReader.ReadIndexAsync(Directory, cancellationToken).ConfigureAwait(false)).Manifests.Select(WarmedEntry.Read).OfType<WarmedEntry>().ToArray();
        }
        catch (InvalidDataException e)
        {
            return BaseImageLookup.Missed(e.Message);
        }

        return reference.Digest is { } digest
            ? await ByDigestAsync(entries, Digest.Parse(digest), platform, cancellationToken).ConfigureAwait(false)
            : await ByTagAsync(entries, reference, platform, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whether a copy warmed at <paramref name="warmed"/> is still within the TTL.</summary>
    public bool IsFresh(DateTimeOffset warmed) => _clock.GetUtcNow() - warmed <= Ttl;

    /// <summary>
    /// Keeps <paramref name="image"/> as <paramref name="reference"/> for <paramref name="platform"/>,
    /// in place of an earlier copy for both, and returns it as read back from the directory.
    /// </summary>
    /// <param name="indexDigest">The index the image was chosen from, if it came from one.</param>
    public async Task<CachedBaseImage> StoreAsync(ImageReference reference, Platform platform, IImage image, Digest? indexDigest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(platform);
        ArgumentNullException.ThrowIfNull(image);
        var blobs = await OciLayoutWriter.OpenAsync(Directory, cancellationToken).ConfigureAwait(false);
        // Blobs already there are kept, so a damaged one is replaced first: manifest and config are
        // small and rewritten whole (a reader sees the old file or the new); a layer of the wrong size goes.
        foreach (var (digest, bytes) in new[] { (image.ManifestDigest, image.RawManifest), (image.Manifest.Config.Digest, image.RawConfig) })
        {
            await BlobDirectory.WriteAtomicallyAsync(blobs.PathOf(digest), (target, token) => target.WriteAsync(bytes, token).AsTask(), cancellationToken).ConfigureAwait(false);
        }

        foreach (var layer in image.Layers.Where(l => new FileInfo(blobs.PathOf(l.Descriptor.Digest)) is { Exists: true } file && file.Length != l.Descriptor.Size))
        {
            File.Delete(blobs.PathOf(layer.Descriptor.Digest));
        }

        await blobs.WriteImageAsync(image, cancellationToken).ConfigureAwait(false);

        var warmed = _clock.GetUtcNow();
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ReferenceAnnotation] = reference.ToString(),
            [WarmedAnnotation] = Timestamp.From(warmed).Text,
        };
        if (indexDigest is { } index)
        {
            annotations[IndexDigestAnnotation] = index.ToString();
        }

        var entry = ImageDescriptor.Of(image, annotations) with
        {
            Platform = new PlatformSpec { Os = platform.Os, Architecture = platform.Architecture, Variant = platform.Variant },
        };
        using (await LayoutIndexLock.AcquireAsync(Directory, cancellationToken).ConfigureAwait(false))
        {
            var existing = File.Exists(IndexPath) ? (await OciLayoutReader.ReadIndexAsync(Directory, cancellationToken).ConfigureAwait(false)).Manifests : [];
            var kept = existing.Where(e => WarmedEntry.Read(e) is not { } warm || warm.Reference != reference.ToString() || warm.Platform != platform);
            var updated = new ImageIndex { MediaType = MediaTypes.OciIndex, Manifests = [.. kept, entry] };
            var bytes = OciJson.Serialize(updated);
            await BlobDirectory.WriteAtomicallyAsync(IndexPath, (target, token) => target.WriteAsync(bytes, token).AsTask(), cancellationToken).ConfigureAwait(false);
        }

        return new CachedBaseImage(await OciLayoutReader.ReadImageAsync(Directory, entry, cancellationToken).ConfigureAwait(false), warmed);
    }

    private async Task<BaseImageLookup> ByDigestAsync(IReadOnlyList<WarmedEntry> entries, Digest digest, Platform platform, CancellationToken cancellationToken)
    {
        // The digest of a manifest is that image whatever the platform asked; an index's needs the platform's entry.
        var candidates = entries.Where(e => e.Descriptor.Digest == digest || (e.IndexDigest == digest && e.Platform == platform)).ToArray();
        return candidates.Length == 0
            ? BaseImageLookup.Missed($"no image with the digest {digest} was warmed for {platform}")
            : await OpenNewestAsync(candidates, cancellationToken).ConfigureAwait(false);
    }

    private async Task<BaseImageLookup> ByTagAsync(IReadOnlyList<WarmedEntry> entries, ImageReference reference, Platform platform, CancellationToken cancellationToken)
    {
        var named = entries.Where(e => e.Reference == reference.ToString()).ToArray();
        if (named.Length == 0)
        {
            return BaseImageLookup.Missed("it was not warmed");
        }

        var forPlatform = named.Where(e => e.Platform == platform).ToArray();
        if (forPlatform.Length == 0)
        {
            return BaseImageLookup.Missed($"it was warmed for {string.Join(", ", named.Select(e => e.Platform).Distinct())}, not for {platform}");
        }

        var fresh = forPlatform.Where(e => IsFresh(e.Warmed)).ToArray();
        if (fresh.Length == 0)
        {
            var newest = forPlatform.Max(e => e.Warmed);
            return BaseImageLookup.Missed(
                $"it was warmed at {newest.ToString("u", CultureInfo.InvariantCulture)}, longer ago than the cache TTL ({Ttl.TotalHours.ToString("0.###", CultureInfo.InvariantCulture)}h), and its tag may have moved since",
                newest);
        }

        return await OpenNewestAsync(fresh, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The newest candidate whose blobs are all there and sound; the reasons the others were not, if none is.</summary>
    private async Task<BaseImageLookup> OpenNewestAsync(IEnumerable<WarmedEntry> candidates, CancellationToken cancellationToken)
    {
        var reasons = new List<string>();
        foreach (var candidate in candidates.OrderByDescending(e => e.Warmed))
        {
            try
            {
                var image = await OciLayoutReader.ReadImageAsync(Directory, candidate.Descriptor, cancellationToken).ConfigureAwait(false);
                CheckLayers(image);
                return BaseImageLookup.Found(new CachedBaseImage(image, candidate.Warmed));
            }
            catch (Exception e) when (e is InvalidDataException or IOException)
            {
                reasons.Add($"the copy {candidate.Descriptor.Digest} is incomplete or damaged ({e.Message})");
            }
        }

        return BaseImageLookup.Missed(string.Join("; ", reasons));
    }

    /// <summary>
    /// Every layer blob is present at its size. Content is verified as the build reads it; hashing
    /// here too would read every base layer twice.
    /// </summary>
    private void CheckLayers(IImage image)
    {
        var blobs = new BlobDirectory(Path.Combine(Directory, "blobs"));
        foreach (var layer in image.Layers)
        {
            var file = new FileInfo(blobs.PathOf(layer.Descriptor.Digest));
            if (!file.Exists)
            {
                throw new InvalidDataException($"its layer {layer.Descriptor.Digest} is missing");
            }

            if (file.Length != layer.Descriptor.Size)
            {
                throw new InvalidDataException($"its layer {layer.Descriptor.Digest} holds {file.Length} bytes, not {layer.Descriptor.Size}");
            }
        }
    }

    /// <summary>An index.json entry as a warmer wrote it; entries without the annotations are not ours and are left alone.</summary>
    private sealed record WarmedEntry(Descriptor Descriptor, string Reference, Platform Platform, DateTimeOffset Warmed, Digest? IndexDigest)
    {
        public static WarmedEntry? Read(Descriptor descriptor)
        {
            var annotations = descriptor.Annotations;
            if (annotations?.GetValueOrDefault(ReferenceAnnotation) is not { } reference
                || annotations.GetValueOrDefault(WarmedAnnotation) is not { } warmedText
                || !DateTimeOffset.TryParse(warmedText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var warmed)
                || descriptor.Platform is not { } platform
                || !MediaTypes.IsManifest(descriptor.MediaType))
            {
                return null;
            }

            Digest? indexDigest = Digest.TryParse(annotations.GetValueOrDefault(IndexDigestAnnotation), out var parsed) ? parsed : null;
            return new WarmedEntry(descriptor, reference, Platform.Create(platform.Os, platform.Architecture, platform.Variant), warmed, indexDigest);
        }
    }
}

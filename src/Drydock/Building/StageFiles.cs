using Drydock.Foundation.Paths;
using Drydock.Layers;
using Drydock.Oci;
using Drydock.Registry;

namespace Drydock.Building;

/// <summary>
/// A stage's root filesystem, unpacked only when something needs its files. Until then it is a
/// list of layers still to apply (the base's, then those of cached steps): a stage whose every
/// step is a cache hit, or changes only the config, never downloads or unpacks a layer. What a
/// step changes outside any layer while the files are not there (VOLUME's directories) waits too.
/// </summary>
internal sealed class StageFiles(string rootfs, ImagePathSet ignored, BlobDirectory blobs, IBuildLog log)
{
    private const int ConcurrentDownloads = 3;

    private readonly List<(ILayer Layer, string Source)> _pending = [];
    private readonly List<Action<string>> _deferred = [];

    /// <summary>Where the files are (or will be) unpacked.</summary>
    public string Rootfs { get; private set; } = rootfs;

    /// <summary>Whether layers wait to be unpacked.</summary>
    public bool HasPending => _pending.Count > 0;

    /// <summary>Whether file changes wait for the files (see <see cref="Defer"/>).</summary>
    public bool HasDeferred => _deferred.Count > 0;

    /// <summary>
    /// A layer to apply before the files are next used; a registry layer is given a place in the
    /// blob store, so the push reads the downloaded copy rather than the registry again.
    /// </summary>
    public ILayer Add(ILayer layer, string source)
    {
        var kept = layer is RemoteLayer remote ? remote.WithLocalCopy(blobs.PathOf(layer.Descriptor.Digest)) : layer;
        _pending.Add((kept, source));
        return kept;
    }

    /// <summary>A change made once the files are there (applied to the directory given then).</summary>
    public void Defer(Action<string> change) => _deferred.Add(change);

    /// <summary>In place, the files were moved out to <paramref name="directory"/>; the rest now goes there.</summary>
    public void Relocate(string directory)
    {
        Rootfs = directory;
        ignored = ImagePathSet.Empty;
    }

    /// <summary>The files with every layer applied and every deferred change made: what COPY --from and RUN --mount read.</summary>
    public async Task<string> ReadyAsync(CancellationToken cancellationToken)
    {
        await UnpackPendingAsync(cancellationToken).ConfigureAwait(false);
        ApplyDeferred(Rootfs);
        return Rootfs;
    }

    /// <summary>
    /// Applies the layers waiting, in order: downloads run a few at a time into the blob store
    /// (registries throttle more), unpacking goes one layer after another, each checked against
    /// its diffID.
    /// </summary>
    public async Task UnpackPendingAsync(CancellationToken cancellationToken)
    {
        if (_pending.Count == 0)
        {
            return;
        }

        var downloads = new ParallelOptions { MaxDegreeOfParallelism = ConcurrentDownloads, CancellationToken = cancellationToken };
        var remote = _pending.Select(p => p.Layer).OfType<RemoteLayer>().Where(l => l.LocalCopy is { } path && !File.Exists(path)).DistinctBy(l => l.Descriptor.Digest);
        await Parallel.ForEachAsync(remote, downloads, async (layer, token) =>
        {
            var download = await layer.OpenRemoteAsync(token).ConfigureAwait(false);
            await using (download.ConfigureAwait(false))
            {
                await BlobDirectory.WriteStreamAsync(layer.LocalCopy!, download, token).ConfigureAwait(false);
            }
        }).ConfigureAwait(false);

        foreach (var (layer, source) in _pending.ToArray())
        {
            var options = LayerExtractOptions.Default with { Warn = message => log.Warn($"{source}: {message}"), IgnoredPaths = ignored };
            var blob = await layer.OpenCompressedAsync(cancellationToken).ConfigureAwait(false);
            await using (blob.ConfigureAwait(false))
            {
                var result = await LayerExtractor.ExtractAsync(blob, MediaTypes.CompressionOf(layer.Descriptor.MediaType), Rootfs, options, cancellationToken).ConfigureAwait(false);
                if (result.DiffId != layer.DiffId)
                {
                    throw new InvalidDataException($"layer {layer.Descriptor.Digest} of {source} unpacks to {result.DiffId}, but the image config says {layer.DiffId}");
                }
            }

            _pending.RemoveAt(0);
        }
    }

    /// <summary>Makes the deferred changes in <paramref name="directory"/> (the step's root, so they land in its snapshot).</summary>
    public void ApplyDeferred(string directory)
    {
        foreach (var change in _deferred)
        {
            change(directory);
        }

        _deferred.Clear();
    }
}

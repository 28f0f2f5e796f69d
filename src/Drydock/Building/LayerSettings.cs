using Drydock.Layers;
using Drydock.Oci;
using Drydock.Snapshot;

namespace Drydock.Building;

/// <summary>
/// How a build finds changes and writes layers, from the snapshot and compression flags:
/// which snapshotter each stage uses, the layer writer's options, and the times stamped on history.
/// </summary>
internal sealed class LayerSettings
{
    private readonly BuildOptions _options;
    private readonly bool _overlay;

    // With --reproducible every time in the image is this one (SOURCE_DATE_EPOCH, else the epoch).
    private readonly DateTimeOffset? _fixedTime;

    private LayerSettings(BuildOptions options, bool overlay, LayerWriteOptions writeOptions, DateTimeOffset? fixedTime)
    {
        _options = options;
        _overlay = overlay;
        WriteOptions = writeOptions;
        _fixedTime = fixedTime;
    }

    public LayerWriteOptions WriteOptions { get; }

    /// <summary>The time to stamp on history and the config.</summary>
    public DateTimeOffset Now => _fixedTime ?? DateTimeOffset.UtcNow;

    public bool SingleSnapshot => _options.SingleSnapshot;

    /// <summary>Decides the snapshotter once per build: overlay where asked for or, for auto, where mounting works.</summary>
    public static async Task<LayerSettings> CreateAsync(BuildOptions options, WorkDirectory work, IBuildLog log, CancellationToken cancellationToken)
    {
        try
        {
            LayerCompressionStreams.LevelFor(options.Compression, options.CompressionLevel);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new BuildException($"--compression-level {options.CompressionLevel}: {e.Message.Split(" (Parameter")[0]}");
        }

        var epoch = SourceDateEpoch();
        var writeOptions = LayerWriteOptions.Default with
        {
            Compression = options.Compression,
            CompressionLevel = options.CompressionLevel,
            Reproducible = options.Reproducible,
            SourceDateEpoch = epoch,
            Warn = log.Warn,
        };
        var fixedTime = options.Reproducible ? DateTimeOffset.FromUnixTimeSeconds(epoch ?? 0) : (DateTimeOffset?)null;

        var overlay = options.Snapshotter switch
        {
            SnapshotterKind.Overlay => true,
            SnapshotterKind.Walk => false,
            _ => await DetectOverlayAsync(work, log, cancellationToken).ConfigureAwait(false),
        };
        log.Debug($"snapshots: {(overlay ? "overlay" : "walk")}, mode {options.SnapshotMode}");
        return new LayerSettings(options, overlay, writeOptions, fixedTime);
    }

    public ISnapshotter CreateSnapshotter(WorkDirectory work, string stageLabel)
    {
        var snapshotOptions = new SnapshotOptions
        {
            Mode = _options.SnapshotMode,
            IgnoredPaths = [.. WalkingSnapshotter.SystemPaths, .. _options.IgnorePaths],
        };
        return _overlay
            ? new OverlaySnapshotter(Path.Combine(work.Path, "overlay-" + stageLabel), snapshotOptions)
            : new WalkingSnapshotter(snapshotOptions);
    }

    /// <summary>The media type of new layers; zstd exists only in OCI's media types.</summary>
    public string LayerMediaType(bool dockerMediaTypes) => MediaTypes.LayerType(dockerMediaTypes, WriteOptions.Compression);

    private static async Task<bool> DetectOverlayAsync(WorkDirectory work, IBuildLog log, CancellationToken cancellationToken)
    {
        var availability = await OverlaySupport.CheckAsync(work.Path, cancellationToken).ConfigureAwait(false);
        if (!availability.IsAvailable)
        {
            log.Debug($"overlay snapshots unavailable ({availability.Reason}); walking the filesystem instead");
        }

        return availability.IsAvailable;
    }

    private static long? SourceDateEpoch() =>
        long.TryParse(Environment.GetEnvironmentVariable("SOURCE_DATE_EPOCH"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            ? seconds
            : null;
}

/// <summary>The --snapshotter choices.</summary>
public enum SnapshotterKind
{
    Auto,
    Overlay,
    Walk,
}

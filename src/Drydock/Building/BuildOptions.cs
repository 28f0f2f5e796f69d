using Drydock.Oci;
using Drydock.Registry.Transport;
using Drydock.Snapshot;

namespace Drydock.Building;

/// <summary>Everything one build needs to know, gathered from the command line once.</summary>
public sealed record BuildOptions
{
    /// <summary>The build context: a local directory (a <c>dir://</c> prefix is accepted, as kaniko does).</summary>
    public required string Context { get; init; }

    /// <summary>The Dockerfile, relative to the context or absolute; null means CONTEXT/Dockerfile.</summary>
    public string? Dockerfile { get; init; }

    public IReadOnlyList<string> Destinations { get; init; } = [];

    /// <summary>Build arguments; a null value means "take it from the environment" (<c>--build-arg NAME</c>).</summary>
    public IReadOnlyList<KeyValuePair<string, string?>> BuildArgs { get; init; } = [];

    /// <summary>
    /// The platforms to build for (kaniko's --custom-platform, OS/ARCH[/VARIANT]; each value may be a
    /// comma-separated list); none means this machine's. Several make an image index.
    /// </summary>
    public IReadOnlyList<string> Platforms { get; init; } = [];

    /// <summary>The stage to build (<c>--target</c>); null means the last one.</summary>
    public string? Target { get; init; }

    /// <summary>Build only the stages the target needs (otherwise every stage up to the target, as kaniko does by default).</summary>
    public bool SkipUnusedStages { get; init; } = true;

    /// <summary>Labels set on the final image from the command line (<c>--label KEY=VALUE</c>).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Labels { get; init; } = [];

    public bool NoPush { get; init; }

    /// <summary>How changes are found: overlay (cost follows the change), walk, or auto (overlay where mounting works).</summary>
    public SnapshotterKind Snapshotter { get; init; } = SnapshotterKind.Auto;

    /// <summary>kaniko's --snapshot-mode: what counts as a change.</summary>
    public SnapshotMode SnapshotMode { get; init; } = SnapshotMode.Full;

    /// <summary>One layer for the whole stage instead of one per instruction.</summary>
    public bool SingleSnapshot { get; init; }

    /// <summary>Image paths never snapshotted (besides /proc, /sys and /dev).</summary>
    public IReadOnlyList<string> IgnorePaths { get; init; } = [];

    /// <summary>Clear timestamps (to SOURCE_DATE_EPOCH when set) so the same inputs give the same digest.</summary>
    public bool Reproducible { get; init; }

    public LayerCompression Compression { get; init; } = LayerCompression.Gzip;

    /// <summary>Null means the compression's default level.</summary>
    public int? CompressionLevel { get; init; }

    public string? TarPath { get; init; }

    public string? OciLayoutPath { get; init; }

    public string? DigestFile { get; init; }

    /// <summary>How registries are reached: plain HTTP, TLS, client certificates, retries (the registry flags).</summary>
    public RegistryTransportOptions Registry { get; init; } = new();

    /// <summary>Where the build keeps its root filesystem and blobs; null means a fresh temporary directory.</summary>
    public string? WorkDirectory { get; init; }

    /// <summary>Secrets RUN --mount=type=secret can use (<c>--secret id=ID,src=PATH|env=VAR</c>).</summary>
    public IReadOnlyList<Mounts.SecretSource> Secrets { get; init; } = [];

    /// <summary>ssh agents RUN --mount=type=ssh can use, and git sources are fetched with (<c>--ssh default|ID[=SOCKET]</c>).</summary>
    public IReadOnlyList<Mounts.SshAgentSource> SshAgents { get; init; } = [];

    /// <summary>Where RUN --mount=type=cache directories persist (<c>--run-cache-dir</c>); null means <see cref="Mounts.RunCacheStore.DefaultRoot"/>.</summary>
    public string? RunCacheDirectory { get; init; }
}

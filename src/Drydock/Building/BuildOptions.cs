using Drydock.Building.Mounts;
using Drydock.Cache;
using Drydock.Context;
using Drydock.Oci;
using Drydock.Reference;
using Drydock.Registry.Transport;
using Drydock.Sandbox;
using Drydock.Snapshot;

namespace Drydock.Building;

/// <summary>
/// Everything one build needs to know, gathered from the command line once and already parsed:
/// references, platforms and the context source are typed values, so a malformed one fails where
/// it was written, before anything is opened. Only <see cref="Builder"/> reads it; it derives the
/// narrow settings each part of the build takes.
/// </summary>
public sealed record BuildOptions
{
    /// <summary>Where the build context comes from.</summary>
    public required ContextSource Context { get; init; }

    /// <summary>The Dockerfile, relative to the context or absolute; null means CONTEXT/Dockerfile.</summary>
    public string? Dockerfile { get; init; }

    /// <summary>The references the image is pushed to (and named by in a tarball or layout).</summary>
    public IReadOnlyList<ImageReference> Destinations { get; init; } = [];

    /// <summary>Build arguments; a null value means "take it from the environment".</summary>
    public IReadOnlyList<KeyValuePair<string, string?>> BuildArgs { get; init; } = [];

    /// <summary>The platforms to build for, without duplicates; none means this machine's. Several make an image index.</summary>
    public IReadOnlyList<Platform> Platforms { get; init; } = [];

    /// <summary>The stage to build; null means the last one.</summary>
    public string? Target { get; init; }

    /// <summary>Build only the stages the target needs (otherwise every stage up to the target, as kaniko does by default).</summary>
    public bool SkipUnusedStages { get; init; } = true;

    /// <summary>Labels set on the final image, over the Dockerfile's LABELs.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Labels { get; init; } = [];

    /// <summary>Build and save, but push to no registry.</summary>
    public bool NoPush { get; init; }

    /// <summary>How changes are found: overlay (cost follows the change), walk, or auto (overlay where mounting works).</summary>
    public SnapshotterKind Snapshotter { get; init; } = SnapshotterKind.Auto;

    /// <summary>What counts as a change (kaniko's snapshot modes).</summary>
    public SnapshotMode SnapshotMode { get; init; } = SnapshotMode.Full;

    /// <summary>One layer for the whole stage instead of one per instruction.</summary>
    public bool SingleSnapshot { get; init; }

    /// <summary>Image paths never snapshotted (besides /proc, /sys and /dev).</summary>
    public IReadOnlyList<string> IgnorePaths { get; init; } = [];

    /// <summary>Clear timestamps (to SOURCE_DATE_EPOCH when set) so the same inputs give the same digest.</summary>
    public bool Reproducible { get; init; }

    public LayerCompression Compression { get; init; } = LayerCompression.Gzip;

    /// <summary>Null means the compression's default level; a level outside the compression's range fails the first layer written.</summary>
    public int? CompressionLevel { get; init; }

    /// <summary>Where to save the image as a docker-archive tarball; it holds one image, so one platform.</summary>
    public string? TarPath { get; init; }

    public string? OciLayoutPath { get; init; }

    public string? DigestFile { get; init; }

    /// <summary>A file to write <c>REPOSITORY@DIGEST</c> of every destination into, one a line (kaniko's format).</summary>
    public string? ImageNameWithDigestFile { get; init; }

    /// <summary>A file to write <c>REPOSITORY:TAG@DIGEST</c> of every destination into, one a line (kaniko's format).</summary>
    public string? ImageNameTagWithDigestFile { get; init; }

    /// <summary>Do not check before the build that every destination accepts a push with the credentials found.</summary>
    public bool SkipPushPermissionCheck { get; init; }

    /// <summary>When a registry refuses to move an immutable tag, warn and go on (kaniko's known refusals).</summary>
    public bool PushIgnoreImmutableTagErrors { get; init; }

    /// <summary>How registries are reached: plain HTTP, TLS, client certificates, retries.</summary>
    public RegistryTransportOptions Registry { get; init; } = new();

    /// <summary>Where the build keeps its root filesystem and blobs; null means a fresh temporary directory.</summary>
    public string? WorkDirectory { get; init; }

    /// <summary>Secrets RUN --mount=type=secret can use.</summary>
    public IReadOnlyList<SecretSource> Secrets { get; init; } = [];

    /// <summary>ssh agents RUN --mount=type=ssh can use, and git sources are fetched with.</summary>
    public IReadOnlyList<SshAgentSource> SshAgents { get; init; } = [];

    /// <summary>The layer cache (kaniko's <c>--cache</c>); null builds every step.</summary>
    public LayerCacheOptions? LayerCache { get; init; }

    /// <summary>
    /// A directory of base images kept as an OCI image layout (<c>drydock warm</c> fills it), read
    /// before any registry; null means none.
    /// </summary>
    public string? BaseImageCacheDirectory { get; init; }

    /// <summary>How long a warmed base image's tag is trusted without asking its registry.</summary>
    public TimeSpan BaseImageCacheTtl { get; init; } = LayerCacheOptions.DefaultTtl;

    /// <summary>Where RUN --mount=type=cache directories persist; null means <see cref="RunCacheStore.DefaultRoot"/>.</summary>
    public string? RunCacheDirectory { get; init; }

    /// <summary>
    /// Whether <c>RUN --security=insecure</c> may run unconfined (BuildKit's <c>security.insecure</c>
    /// entitlement); without it such a step ends the build.
    /// </summary>
    public bool AllowInsecure { get; init; }

    /// <summary>How RUN is isolated: chroot, none (in place, over "/"), or auto (chroot where namespaces are allowed).</summary>
    public Isolation Isolation { get; init; } = Isolation.Auto;

    /// <summary>Build in place even where no sign of a container is found (kaniko's <c>--force</c>).</summary>
    public bool Force { get; init; }

    /// <summary>Keep /var/run out of in-place builds (kaniko's <c>--ignore-var-run</c>).</summary>
    public bool IgnoreVarRun { get; init; } = true;

    /// <summary>The executor's own directory (kaniko's <c>/kaniko</c>): in place, never touched, and the default home of the work directory.</summary>
    public string KanikoDirectory { get; init; } = "/kaniko";

    /// <summary>In place, empty the root of what the build left there once it ends.</summary>
    public bool Cleanup { get; init; }
}

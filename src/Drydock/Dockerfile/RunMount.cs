namespace Drydock.Dockerfile;

/// <summary>What a <c>RUN --mount</c> provides.</summary>
public enum RunMountType
{
    /// <summary>A file or directory of the build context, a stage or an image (the default).</summary>
    Bind,

    /// <summary>A directory that persists between RUNs and builds, keyed by its id.</summary>
    Cache,

    /// <summary>An empty in-memory file system.</summary>
    Tmpfs,

    /// <summary>A secret given to the build, as a file or an environment variable.</summary>
    Secret,

    /// <summary>An SSH agent socket.</summary>
    Ssh,
}

/// <summary>How concurrent builds share one cache mount.</summary>
public enum CacheSharing
{
    /// <summary>Every writer uses the same directory at the same time.</summary>
    Shared,

    /// <summary>A second writer gets a directory of its own.</summary>
    Private,

    /// <summary>A second writer waits until the first is done.</summary>
    Locked,
}

/// <summary>
/// One <c>RUN --mount</c> value after variable expansion, validated with BuildKit's rules
/// (<c>instructions.Mount</c>). Unset strings are empty, as in BuildKit, so <c>source=</c> means
/// the same as no source. Defaults that depend on the stage (relative targets, cache ids, secret
/// paths) are left to the builder.
/// </summary>
public sealed record RunMount
{
    public RunMountType Type { get; init; } = RunMountType.Bind;

    /// <summary>The stage or image the mount reads from; empty for the build context.</summary>
    public string From { get; init; } = "";

    /// <summary>The path inside <see cref="From"/> (bind, cache), or the secret's id (secret).</summary>
    public string Source { get; init; } = "";

    /// <summary>Where the mount appears; relative paths are taken from the WORKDIR.</summary>
    public string Target { get; init; } = "";

    /// <summary>True by default for bind, secret and ssh; false for cache and tmpfs.</summary>
    public bool ReadOnly { get; init; }

    /// <summary>The tmpfs size limit in bytes, or 0 for the kernel's default.</summary>
    public long SizeLimit { get; init; }

    /// <summary>The cache id (cache), or the secret or ssh id.</summary>
    public string Id { get; init; } = "";

    /// <summary>Set only for cache mounts that named it; <see cref="CacheSharing.Shared"/> otherwise.</summary>
    public CacheSharing? Sharing { get; init; }

    /// <summary>Secret and ssh: fail when the build was not given it.</summary>
    public bool Required { get; init; }

    /// <summary>Secret: the environment variable to put it in; empty means one named after the id; null means none.</summary>
    public string? Env { get; init; }

    /// <summary>Cache, secret, ssh: the mode of the directory or file (octal in the Dockerfile).</summary>
    public uint? Mode { get; init; }

    public uint? Uid { get; init; }

    public uint? Gid { get; init; }
}

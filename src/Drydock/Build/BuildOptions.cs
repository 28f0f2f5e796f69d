using Drydock.Registry.Transport;

namespace Drydock.Build;

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

    public bool NoPush { get; init; }

    public string? TarPath { get; init; }

    public string? OciLayoutPath { get; init; }

    public string? DigestFile { get; init; }

    /// <summary>How registries are reached: plain HTTP, TLS, client certificates, retries (the registry flags).</summary>
    public RegistryTransportOptions Registry { get; init; } = new();

    /// <summary>Where the build keeps its root filesystem and blobs; null means a fresh temporary directory.</summary>
    public string? WorkDirectory { get; init; }
}

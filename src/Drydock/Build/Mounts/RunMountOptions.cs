namespace Drydock.Build.Mounts;

/// <summary>What RUN --mount takes from the command line: where caches persist, and the secrets.</summary>
internal sealed record RunMountOptions(RunCacheStore Cache, IReadOnlyList<SecretSource> Secrets)
{
    public static RunMountOptions From(BuildOptions options) =>
        new(new RunCacheStore(options.RunCacheDirectory is { } directory ? Path.GetFullPath(directory) : RunCacheStore.DefaultRoot()), options.Secrets);
}

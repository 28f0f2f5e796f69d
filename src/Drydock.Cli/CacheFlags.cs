using System.CommandLine;
using System.CommandLine.Parsing;
using Drydock.Cache;

namespace Drydock.Cli;

/// <summary>
/// kaniko's cache flags: the layer cache (<c>--cache</c>, <c>--cache-repo</c>, <c>--cache-ttl</c>,
/// <c>--cache-run-layers</c>, <c>--cache-copy-layers</c>, <c>--no-push-cache</c>) and the
/// directory of warmed base images (<c>--cache-dir</c>).
/// </summary>
public sealed class CacheFlags
{
    /// <summary>kaniko's default cache directory, read when it exists and the layer cache is on.</summary>
    public const string KanikoCacheDirectory = "/cache";

    private readonly Option<bool> _cache = new("--cache") { Description = "Reuse the layers of earlier builds: a step whose inputs are unchanged is not run (see README, \"Layer cache\")." };
    private readonly Option<string?> _cacheDir = new("--cache-dir") { Description = "A directory of base images warmed by `drydock warm` (an OCI image layout), read before any registry (default with --cache: /cache when it exists)." };
    private readonly Option<string?> _cacheRepo = new("--cache-repo") { Description = "Where cached layers live: a registry repository, or oci:DIR for a local OCI layout (default: the first destination's repository + /cache)." };
    private readonly Option<string?> _cacheTtl = new("--cache-ttl") { Description = "How long a cached layer or warmed base image stays valid, e.g. 6h or 336h (default: two weeks)." };
    private readonly Option<bool> _cacheCopyLayers = new("--cache-copy-layers") { Description = "Cache COPY and ADD steps too (keyed by the content of their sources)." };
    private readonly Option<bool?> _cacheRunLayers = new("--cache-run-layers") { Description = "Cache RUN steps (default: true)." };
    private readonly Option<bool> _noPushCache = new("--no-push-cache") { Description = "Use the layer cache but store no new entries in it." };

    public void AddTo(Command command)
    {
        foreach (var option in (Option[])[_cache, _cacheDir, _cacheRepo, _cacheTtl, _cacheCopyLayers, _cacheRunLayers, _noPushCache])
        {
            command.Options.Add(option);
        }

        _cacheTtl.Validators.Add(CommandChecks.PositiveDuration);
        _cacheRepo.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>() is { } repository && repository.StartsWith(LayerCacheOptions.LayoutScheme, StringComparison.Ordinal)
                && repository.Length == LayerCacheOptions.LayoutScheme.Length)
            {
                result.AddError("--cache-repo: oci: needs a directory, e.g. oci:/cache/layers");
            }
        });
    }

    /// <summary>
    /// The layer cache needs somewhere to keep its entries: a --cache-repo, or the repository the
    /// image is pushed to, beside which it goes. With --no-push there is none to go beside, as kaniko says too.
    /// </summary>
    public void CheckRepository(CommandResult result, bool pushes)
    {
        if (!pushes && result.GetResult(_cacheRepo) is null && result.GetValue(_cache))
        {
            result.AddError("--cache: nowhere to keep cached layers without a pushed destination; pass --cache-repo (a repository, or oci:DIR for a local directory).");
        }
    }

    /// <summary>The layer cache the flags ask for, or null without <c>--cache</c>.</summary>
    public LayerCacheOptions? LayerCache(ParseResult result) => result.GetValue(_cache)
        ? new LayerCacheOptions(result.GetValue(_cacheRepo))
        {
            RunLayers = result.GetValue(_cacheRunLayers) ?? true,
            CopyLayers = result.GetValue(_cacheCopyLayers),
            Store = !result.GetValue(_noPushCache),
            Ttl = Ttl(result),
        }
        : null;

    /// <summary>The directory of warmed base images: the one named, else kaniko's /cache when the cache is on and it exists.</summary>
    public string? BaseImageDirectory(ParseResult result) =>
        result.GetValue(_cacheDir) is { Length: > 0 } named ? Path.GetFullPath(named)
        : result.GetValue(_cache) && Directory.Exists(KanikoCacheDirectory) ? KanikoCacheDirectory
        : null;

    public TimeSpan Ttl(ParseResult result) => RegistryFlags.ParseDuration(result.GetValue(_cacheTtl)) ?? LayerCacheOptions.DefaultTtl;
}

using System.CommandLine;
using System.CommandLine.Parsing;

namespace Drydock.Cli;

/// <summary>
/// kaniko's layer-cache flags. Drydock has no layer cache yet, so asking for one fails the parse
/// with one line instead of building uncached in silence. The flags that only qualify
/// <c>--cache</c> (which layers it keeps, whether it pushes them) are accepted: without a cache
/// they change nothing, in kaniko too.
/// </summary>
public sealed class CacheFlags
{
    private readonly Option<bool> _cache = new("--cache") { Description = "Not supported yet: kaniko's layer cache (Drydock refuses --cache=true)." };
    private readonly Option<string?> _cacheDir = new("--cache-dir") { Description = "Not supported yet: kaniko's local cache of base images." };
    private readonly Option<string?> _cacheRepo = new("--cache-repo") { Description = "Not supported yet: kaniko's registry repository of cached layers." };
    private readonly Option<string?> _cacheTtl = new("--cache-ttl") { Description = "Not supported yet: how long kaniko's cached layers stay valid." };
    private readonly Option<bool> _cacheCopyLayers = new("--cache-copy-layers") { Description = "Accepted: qualifies --cache, which is not supported yet." };
    private readonly Option<bool> _cacheRunLayers = new("--cache-run-layers") { Description = "Accepted: qualifies --cache, which is not supported yet." };
    private readonly Option<bool> _noPushCache = new("--no-push-cache") { Description = "Accepted: qualifies --cache, which is not supported yet." };

    public void AddTo(Command command)
    {
        foreach (var option in (Option[])[_cache, _cacheDir, _cacheRepo, _cacheTtl, _cacheCopyLayers, _cacheRunLayers, _noPushCache])
        {
            command.Options.Add(option);
        }

        command.Validators.Add(Check);
    }

    private void Check(CommandResult result)
    {
        // Tokens, not values: a malformed value has its own error already.
        var asked = new List<string>();
        if (result.GetResult(_cache) is { } cache && (cache.Tokens.Count == 0 || !bool.TryParse(cache.Tokens[0].Value, out var on) || on))
        {
            asked.Add(_cache.Name);
        }

        asked.AddRange(new[] { _cacheDir, _cacheRepo, _cacheTtl }.Where(o => result.GetResult(o) is not null).Select(o => o.Name));
        if (asked.Count > 0)
        {
            result.AddError($"{string.Join(", ", asked)}: the layer cache is not supported yet; build without {(asked.Count == 1 ? "it" : "them")} (every step runs).");
        }
    }
}

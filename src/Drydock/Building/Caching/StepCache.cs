using Drydock.Building.Steps;
using Drydock.Cache;
using Drydock.Dockerfile;
using Drydock.Oci;

namespace Drydock.Building.Caching;

/// <summary>
/// The layer cache as one platform's build uses it: decides for each step whether it takes part
/// (RUN unless <c>--cache-run-layers=false</c>, COPY and ADD with <c>--cache-copy-layers</c>, WORKDIR),
/// looks its key up, stores what a step that ran made, and counts hits for the summary.
/// </summary>
internal sealed class StepCache(LayerCache cache, StepKeys keys, IBuildLog log)
{
    public int Hits { get; private set; }

    public int Lookups { get; private set; }

    public string Name => cache.Name;

    public async Task<CacheDecision> DecideAsync(Instruction instruction, StepContext step, KeyChain chain, CancellationToken cancellationToken)
    {
        var excluded = instruction switch
        {
            RunInstruction when !cache.Options.RunLayers => "RUN steps are not cached (--cache-run-layers=false)",
            CopyInstruction or AddInstruction when !cache.Options.CopyLayers => "COPY and ADD steps are not cached without --cache-copy-layers",
            RunInstruction or CopyInstruction or AddInstruction or WorkdirInstruction => null,
            _ => "",
        };
        if (excluded == "")
        {
            return CacheDecision.None;
        }

        // Keyed even when not looked up: the steps after it build on its key.
        var key = await keys.ForAsync(instruction, step, chain, cancellationToken).ConfigureAwait(false);
        if (key is null)
        {
            return new CacheDecision(null, null, "a remote source names no version of its content (no --checksum, ETag or Last-Modified)", LookedUp: false);
        }

        if (excluded is not null)
        {
            return new CacheDecision(key, null, excluded, LookedUp: false);
        }

        Lookups++;
        var lookup = await cache.FindAsync(key, cancellationToken).ConfigureAwait(false);
        if (lookup.Hit is not null)
        {
            Hits++;
        }

        return new CacheDecision(key, lookup.Hit, lookup.Miss, LookedUp: true);
    }

    /// <summary>The layer of a hit.</summary>
    public ILayer? LayerOf(CacheEntry entry) => cache.LayerOf(entry);

    /// <summary>Says at debug why a looked-up step missed: its own entry's state, else how it differs from the nearest entry.</summary>
    public async Task ExplainAsync(CacheDecision decision, KeyChain chain, CancellationToken cancellationToken)
    {
        if (!log.ShowsDebug || decision.Key is not { } key)
        {
            return;
        }

        var why = decision.Note is { } note && note != CacheLookupReasons.NoEntry ? note
            : chain.AfterMiss ? "the step before it ran, so nothing built on its result is stored yet"
            : await ExplainAgainstNearestAsync(key, cancellationToken).ConfigureAwait(false);
        log.Debug($"cache miss ({key.Digest.Hex[..12]}): {why}");
    }

    /// <summary>Stores the entry of a step that ran (in the background).</summary>
    public void Store(CacheKey key, ILayer? layer, HistoryEntry history, StepContext step, CancellationToken cancellationToken) =>
        cache.Store(key, layer, history, step.Platform, cancellationToken);

    private async Task<string> ExplainAgainstNearestAsync(CacheKey key, CancellationToken cancellationToken)
    {
        try
        {
            return await cache.ExplainMissAsync(key, cancellationToken).ConfigureAwait(false)
                ?? $"{cache.Name} holds no entry to compare with";
        }
        catch (Exception e) when (e is Registry.Errors.RegistryException or IOException or InvalidDataException or HttpRequestException)
        {
            return $"no entry, and the entries of {cache.Name} could not be compared: {e.Message}";
        }
    }
}

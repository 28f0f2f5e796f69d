using Drydock.Cache;
using Drydock.Oci;
using Drydock.Reference;
using Drydock.Registry;
using Drydock.Registry.Auth;
using Drydock.Registry.Transport;

namespace Drydock.Tests.Cache;

/// <summary>
/// The layer cache over an OCI layout (<c>oci:DIR</c>): what it finds, stores, lets expire and says
/// about a miss. The same cache over a registry repository is in the integration tests
/// (LayerCacheBuildTests), against the real registry.
/// </summary>
public sealed class LayerCacheTests : IDisposable
{
    private static readonly string Base = Digest.Sha256("base"u8).ToString();
    private static readonly Platform Linux = Platform.Parse("linux/amd64");

    private readonly TempDirectory _directory = new("drydock-layer-cache-");
    private readonly RegistryClientPool _registries = new(new RegistryTransportOptions(), AnonymousKeychain.Instance);
    private readonly List<string> _warnings = [];
    private DateTimeOffset _now = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    public void Dispose()
    {
        _registries.Dispose();
        _directory.Dispose();
    }

    private LayerCache Open(TimeSpan? ttl = null) => LayerCache.Open(
        new LayerCacheOptions("oci:" + _directory.Path) { Ttl = ttl ?? LayerCacheOptions.DefaultTtl }, null, _registries, _warnings.Add, () => _now);

    private static CacheKey Key(string instruction, string argument = "1", string parent = "") => new(
    [
        new(CacheKey.ParentPart, parent.Length == 0 ? Base : parent),
        new(CacheKey.BasePart, Base),
        new(CacheKey.InstructionPart, instruction),
        new(CacheKey.ArgumentPrefix + "VERSION", CacheKey.Hidden(argument)),
    ]);

    private async Task StoreAsync(CacheKey key, ILayer? layer = null)
    {
        await using var cache = Open();
        cache.Store(key, layer, new HistoryEntry { CreatedBy = key.Parts.First(p => p.Name == CacheKey.InstructionPart).Value }, Linux, CancellationToken.None);
    }

    [Fact]
    public async Task A_stored_entry_is_found_with_its_layer_and_history()
    {
        var blob = "layer bytes"u8.ToArray();
        var blobPath = _directory.Combine("blob");
        await File.WriteAllBytesAsync(blobPath, blob);
        var layer = new FileLayer(blobPath, new Descriptor { MediaType = MediaTypes.OciLayerGzip, Digest = Digest.Sha256(blob), Size = blob.Length }, Digest.Sha256("tar"u8));
        await StoreAsync(Key("RUN make"), layer);

        await using var cache = Open();
        var lookup = await cache.FindAsync(Key("RUN make"), CancellationToken.None);

        Assert.NotNull(lookup.Hit);
        Assert.Equal("RUN make", lookup.Hit.CreatedBy);
        var found = cache.LayerOf(lookup.Hit)!;
        Assert.Equal(layer.DiffId, found.DiffId);
        await using var stream = await found.OpenCompressedAsync(CancellationToken.None);
        using var read = new MemoryStream();
        await stream.CopyToAsync(read);
        Assert.Equal(blob, read.ToArray());
        Assert.Empty(_warnings);
    }

    [Fact]
    public async Task Another_key_misses()
    {
        await StoreAsync(Key("RUN make"));
        await using var cache = Open();

        var lookup = await cache.FindAsync(Key("RUN make all"), CancellationToken.None);

        Assert.Null(lookup.Hit);
        Assert.Equal(CacheLookupReasons.NoEntry, lookup.Miss);
    }

    [Fact]
    public async Task An_entry_older_than_the_ttl_misses_and_says_how_old_it_is()
    {
        await StoreAsync(Key("RUN make"));
        _now = _now.AddDays(3);
        await using var cache = Open(TimeSpan.FromDays(2));

        var lookup = await cache.FindAsync(Key("RUN make"), CancellationToken.None);

        Assert.Null(lookup.Hit);
        Assert.Equal("the entry expired: it was made 3 days ago, and --cache-ttl is 2 days", lookup.Miss);
    }

    [Fact]
    public async Task A_miss_is_explained_by_the_entry_after_the_same_step()
    {
        await StoreAsync(Key("RUN make", argument: "1"));
        await using var cache = Open();

        var why = await cache.ExplainMissAsync(Key("RUN make", argument: "2"), CancellationToken.None);

        Assert.Equal("the build argument VERSION changed (compared with the entry of \"RUN make\")", why);
    }

    [Fact]
    public async Task A_changed_instruction_is_shown_as_it_was_and_is()
    {
        await StoreAsync(Key("RUN make"));
        await using var cache = Open();

        var why = await cache.ExplainMissAsync(Key("RUN make all"), CancellationToken.None);

        Assert.StartsWith("the instruction changed: it was \"RUN make\", it is \"RUN make all\"", why, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_an_entry_after_the_same_step_the_nearest_one_names_the_base()
    {
        var otherBase = Digest.Sha256("other base"u8).ToString();
        await StoreAsync(new CacheKey([new(CacheKey.ParentPart, otherBase), new(CacheKey.BasePart, otherBase), new(CacheKey.InstructionPart, "RUN make"), new(CacheKey.ArgumentPrefix + "VERSION", CacheKey.Hidden("1"))]));
        await using var cache = Open();

        var why = await cache.ExplainMissAsync(Key("RUN make"), CancellationToken.None);

        Assert.Equal($"the base image changed: it was {otherBase}, it is {Base} (compared with the entry of \"RUN make\")", why);
    }

    [Fact]
    public async Task An_empty_cache_has_nothing_to_compare_with()
    {
        await using var cache = Open();

        Assert.Null(await cache.ExplainMissAsync(Key("RUN make"), CancellationToken.None));
    }

    [Fact]
    public async Task Without_storing_nothing_is_stored()
    {
        await using (var cache = LayerCache.Open(new LayerCacheOptions("oci:" + _directory.Path) { Store = false }, null, _registries, _warnings.Add, () => _now))
        {
            cache.Store(Key("RUN make"), null, new HistoryEntry { CreatedBy = "RUN make" }, Linux, CancellationToken.None);
        }

        Assert.False(File.Exists(_directory.Combine("index.json")));
    }

    [Fact]
    public async Task A_cache_that_cannot_be_written_is_found_before_the_build_and_only_read()
    {
        var file = _directory.Combine("a-file");
        await File.WriteAllTextAsync(file, "");
        await using (var cache = LayerCache.Open(new LayerCacheOptions("oci:" + Path.Combine(file, "layers")), null, _registries, _warnings.Add, () => _now))
        {
            await cache.CheckStoreAccessAsync(CancellationToken.None);
            cache.Store(Key("RUN make"), null, new HistoryEntry { CreatedBy = "RUN make" }, Linux, CancellationToken.None);
        }

        Assert.StartsWith("cache entries cannot be stored in oci:", Assert.Single(_warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_repository_is_the_first_destinations_with_cache_appended()
    {
        Assert.Equal("registry.example/team/app/cache", LayerCache.RepositoryOf(new LayerCacheOptions(), ImageReference.Parse("registry.example/team/app:v1")).Name);
        Assert.Equal("registry.example/elsewhere", LayerCache.RepositoryOf(new LayerCacheOptions("registry.example/elsewhere"), ImageReference.Parse("registry.example/team/app:v1")).Name);
    }
}

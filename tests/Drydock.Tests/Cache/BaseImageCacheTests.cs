using System.Text.Json.Nodes;
using Drydock.Cache;
using Drydock.Oci;
using Drydock.Reference;
using Drydock.Tests.Oci;

namespace Drydock.Tests.Cache;

/// <summary>
/// The directory of warmed base images: digests serve at any age, tags within the TTL for their
/// platform only, damaged entries count as absent, and concurrent writers lose nothing.
/// </summary>
public sealed class BaseImageCacheTests() : ImageFormatTest("warm")
{
    private static readonly Platform Amd64 = Platform.Parse("linux/amd64");
    private static readonly Platform Arm64 = Platform.Parse("linux/arm64");
    private static readonly ImageReference Tagged = ImageReference.Parse("registry.example/base:1");

    private readonly ManualClock _clock = new();

    private string CacheDirectory => Path.Combine(Directory, "cache");

    [Fact]
    public async Task A_digest_reference_is_found_at_any_age_under_any_name()
    {
        var image = TestImages.Create(Sources);
        await Cache().StoreAsync(Tagged, Amd64, image, indexDigest: null, CancellationToken.None);
        _clock.Advance(TimeSpan.FromDays(1000));

        var byDigest = ImageReference.Parse($"registry.example/elsewhere@{image.ManifestDigest}");
        var lookup = await Cache().LookupAsync(byDigest, Arm64, CancellationToken.None);

        Assert.NotNull(lookup.Hit);
        Assert.Equal(image.ManifestDigest, lookup.Hit.Image.ManifestDigest);
    }

    [Fact]
    public async Task A_tag_within_the_ttl_is_served_from_the_directory_with_its_layers()
    {
        var image = TestImages.Create(Sources);
        await Cache().StoreAsync(Tagged, Amd64, image, indexDigest: null, CancellationToken.None);
        _clock.Advance(TimeSpan.FromHours(23));

        var lookup = await Cache().LookupAsync(ImageReference.Parse("registry.example/base:1"), Amd64, CancellationToken.None);

        Assert.NotNull(lookup.Hit);
        Assert.Equal(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero), lookup.Hit.Warmed);
        await TestImages.AssertSameAsync(image, lookup.Hit.Image);
        Assert.All(lookup.Hit.Image.Layers, layer => Assert.StartsWith(CacheDirectory, Assert.IsType<FileLayer>(layer).Path, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_expired_tag_is_not_used_and_says_when_it_was_warmed()
    {
        await Cache().StoreAsync(Tagged, Amd64, TestImages.Create(Sources), indexDigest: null, CancellationToken.None);
        _clock.Advance(TimeSpan.FromHours(25));

        var lookup = await Cache().LookupAsync(Tagged, Amd64, CancellationToken.None);

        Assert.Null(lookup.Hit);
        Assert.Equal(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero), lookup.ExpiredSince);
        Assert.Contains("longer ago than the cache TTL (24h)", lookup.Miss, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tag_warmed_for_another_platform_is_not_used()
    {
        await Cache().StoreAsync(Tagged, Amd64, TestImages.Create(Sources), indexDigest: null, CancellationToken.None);

        var lookup = await Cache().LookupAsync(Tagged, Arm64, CancellationToken.None);

        Assert.Null(lookup.Hit);
        Assert.Equal("it was warmed for linux/amd64, not for linux/arm64", lookup.Miss);
        Assert.Null(lookup.ExpiredSince);
    }

    [Fact]
    public async Task An_index_digest_finds_the_platform_it_was_warmed_for_only()
    {
        var index = Digest.Sha256("an index"u8);
        var image = TestImages.Create(Sources);
        await Cache().StoreAsync(Tagged, Amd64, image, index, CancellationToken.None);
        var byIndex = Tagged.WithDigest(index.ToString());

        Assert.Equal(image.ManifestDigest, (await Cache().LookupAsync(byIndex, Amd64, CancellationToken.None)).Hit?.Image.ManifestDigest);
        Assert.Null((await Cache().LookupAsync(byIndex, Arm64, CancellationToken.None)).Hit);
    }

    [Fact]
    public async Task An_image_not_warmed_or_an_empty_directory_is_a_miss()
    {
        Assert.Equal("nothing has been warmed there", (await Cache().LookupAsync(Tagged, Amd64, CancellationToken.None)).Miss);

        await Cache().StoreAsync(Tagged, Amd64, TestImages.Create(Sources), indexDigest: null, CancellationToken.None);
        Assert.Equal("it was not warmed", (await Cache().LookupAsync(ImageReference.Parse("registry.example/base:2"), Amd64, CancellationToken.None)).Miss);
    }

    [Theory]
    [InlineData("missing layer")]
    [InlineData("truncated layer")]
    [InlineData("corrupt config")]
    [InlineData("missing manifest")]
    public async Task An_entry_with_a_missing_or_damaged_blob_is_absent(string damage)
    {
        var image = TestImages.Create(Sources);
        await Cache().StoreAsync(Tagged, Amd64, image, indexDigest: null, CancellationToken.None);
        var blobs = new BlobDirectory(Path.Combine(CacheDirectory, "blobs"));
        var layer = blobs.PathOf(image.Layers[1].Descriptor.Digest);
        switch (damage)
        {
            case "missing layer":
                File.Delete(layer);
                break;
            case "truncated layer":
                File.WriteAllBytes(layer, File.ReadAllBytes(layer)[..10]);
                break;
            case "corrupt config":
                var config = blobs.PathOf(image.Manifest.Config.Digest);
                File.WriteAllText(config, new string('x', (int)new FileInfo(config).Length));
                break;
            default:
                File.Delete(blobs.PathOf(image.ManifestDigest));
                break;
        }

        var lookup = await Cache().LookupAsync(Tagged, Amd64, CancellationToken.None);

        Assert.Null(lookup.Hit);
        Assert.Contains("is incomplete or damaged", lookup.Miss, StringComparison.Ordinal);

        // Warming again repairs it.
        await Cache().StoreAsync(Tagged, Amd64, image, indexDigest: null, CancellationToken.None);
        Assert.NotNull((await Cache().LookupAsync(Tagged, Amd64, CancellationToken.None)).Hit);
    }

    [Fact]
    public async Task Warming_again_replaces_the_entry_for_that_reference_and_platform_only()
    {
        var first = TestImages.Create(Sources);
        var arm = TestImages.Create(Sources, "arm64");
        await Cache().StoreAsync(Tagged, Amd64, first, indexDigest: null, CancellationToken.None);
        await Cache().StoreAsync(Tagged, Arm64, arm, indexDigest: null, CancellationToken.None);
        _clock.Advance(TimeSpan.FromHours(1));
        var second = TestImages.Create(Sources, docker: true);
        await Cache().StoreAsync(Tagged, Amd64, second, indexDigest: null, CancellationToken.None);

        var entries = IndexEntries();
        Assert.Equal(2, entries.Count);
        Assert.Equal(second.ManifestDigest, (await Cache().LookupAsync(Tagged, Amd64, CancellationToken.None)).Hit?.Image.ManifestDigest);
        Assert.Equal(arm.ManifestDigest, (await Cache().LookupAsync(Tagged, Arm64, CancellationToken.None)).Hit?.Image.ManifestDigest);
        var amd64Entry = entries.Single(e => (string?)e["platform"]!["architecture"] == "amd64");
        Assert.Equal("registry.example/base:1", (string?)amd64Entry["annotations"]![BaseImageCache.ReferenceAnnotation]);
        Assert.Equal("2025-01-01T01:00:00Z", (string?)amd64Entry["annotations"]![BaseImageCache.WarmedAnnotation]);
    }

    [Fact]
    public async Task Concurrent_writers_lose_no_entry_and_leave_no_temporary_file()
    {
        var images = Enumerable.Range(0, 8)
            .Select(i => Image.Create(new ImageConfig { Architecture = "amd64", Os = "linux" }, [TestImages.Layer(Sources, "etc/n", $"image {i}")], dockerMediaTypes: false))
            .ToArray();

        // Separate caches over one directory, as separate warmer processes would be; two write each reference.
        await Task.WhenAll(images.Concat(images).Select((image, i) => Task.Run(() =>
            new BaseImageCache(CacheDirectory, TimeSpan.FromDays(1), _clock)
                .StoreAsync(ImageReference.Parse($"registry.example/base:{i % images.Length}"), Amd64, image, indexDigest: null, CancellationToken.None))));

        Assert.Equal(images.Length, IndexEntries().Count);
        for (var i = 0; i < images.Length; i++)
        {
            var lookup = await Cache().LookupAsync(ImageReference.Parse($"registry.example/base:{i}"), Amd64, CancellationToken.None);
            Assert.NotNull(lookup.Hit);
            await TestImages.AssertSameAsync(images[i], lookup.Hit.Image);
        }

        Assert.Empty(System.IO.Directory.EnumerateFiles(CacheDirectory, "*.partial", SearchOption.AllDirectories));
    }

    private BaseImageCache Cache() => new(CacheDirectory, TimeSpan.FromDays(1), _clock);

    private List<JsonNode> IndexEntries() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(CacheDirectory, "index.json")))!["manifests"]!.AsArray().Select(e => e!).ToList();
}

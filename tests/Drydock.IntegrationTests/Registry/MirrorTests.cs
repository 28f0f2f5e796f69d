using System.Collections.Concurrent;
using System.Net;
using Drydock.Reference;
using Drydock.Registry;
using Drydock.Registry.Auth;
using Drydock.Registry.Errors;
using Drydock.Registry.Transport;

namespace Drydock.IntegrationTests.Registry;

/// <summary>
/// Pulls through mirrors: distribution's pull-through cache (proxy mode) in front of the shared
/// registry, registry maps with path prefixes, and fallback to the registry itself. Every request
/// is watched, so a test sees which host answered and that nothing left loopback.
/// </summary>
[Collection(RegistryCollections.Http)]
public sealed class MirrorTests(HttpRegistry upstream)
{
    [RootFact]
    public async Task Docker_Hub_images_come_from_a_pull_through_mirror_and_Docker_Hub_is_never_asked()
    {
        // Docker Hub keeps official images under library/: seed one there so the mirror's upstream has it.
        var name = RegistryServer.NewRepository("hub");
        var seeded = await BaseImages.SeedBusyboxAsync(upstream, "library/" + name);
        await using var mirror = await RegistryServer.StartPullThroughCacheAsync(upstream);
        var options = new RegistryTransportOptions { InsecureRegistries = [mirror.Host], SkipDefaultRegistryFallback = true, PullRetries = 0 }
            .WithMirror(ImageReference.DockerHub, RegistryMirror.Parse(mirror.Host));
        var seen = new ConcurrentQueue<string>();
        using var transport = Watched(options, seen);
        using var client = new RegistryClient(ImageReference.DockerHub, transport, AnonymousKeychain.Instance);

        var image = await RemoteImage.LoadAsync(client, ImageReference.Parse(name), Platform.Host, CancellationToken.None);
        await using (var layer = await image.Layers[0].OpenCompressedAsync(CancellationToken.None))
        {
            await layer.CopyToAsync(Stream.Null);
        }

        Assert.Equal(seeded.ManifestDigest, image.ManifestDigest.ToString());
        Assert.Equal($"docker.io/library/{name}", image.Reference.Name);
        Assert.NotEmpty(seen);
        Assert.All(seen, authority => Assert.Equal(mirror.Host, authority));
        Assert.True(Directory.EnumerateFiles(mirror.StorageDirectory, "data", SearchOption.AllDirectories).Any(), "the pull-through cache kept nothing");
    }

    [RootFact]
    public async Task A_registry_map_with_a_path_prefix_serves_the_image_from_the_mirror()
    {
        var name = RegistryServer.NewRepository("mapped");
        await using var mirror = await RegistryServer.StartAsync(RegistryMode.Http);
        var seeded = await BaseImages.SeedBusyboxAsync(mirror, $"cache/{upstream.Host.Replace(':', '-')}/{name}");
        var options = upstream.TransportOptions with { InsecureRegistries = [upstream.Host, mirror.Host] };
        foreach (var (registry, target) in RegistryTransportOptions.ParseRegistryMap($"{upstream.Host}={mirror.Host}/cache/{upstream.Host.Replace(':', '-')}"))
        {
            options = options.WithMirror(registry, target);
        }

        var seen = new ConcurrentQueue<string>();
        using var transport = Watched(options, seen);
        using var client = new RegistryClient(upstream.Host, transport, AnonymousKeychain.Instance);

        var image = await RemoteImage.LoadAsync(client, upstream.Reference($"{name}:latest"), Platform.Host, CancellationToken.None);

        Assert.Equal(seeded.ManifestDigest, image.ManifestDigest.ToString());
        Assert.DoesNotContain(upstream.Host, seen);
    }

    [RootFact]
    public async Task A_mirror_without_the_image_and_an_unreachable_one_fall_back_to_the_registry()
    {
        var seeded = await BaseImages.SeedBusyboxAsync(upstream);
        await using var empty = await RegistryServer.StartAsync(RegistryMode.Http);
        using var reserved = new RefusingPort();
        var gone = reserved.Host;
        var options = new RegistryTransportOptions { InsecureRegistries = [upstream.Host, empty.Host, gone], PullRetries = 0 }
            .WithMirror(upstream.Host, RegistryMirror.Parse(gone))
            .WithMirror(upstream.Host, RegistryMirror.Parse(empty.Host));
        var seen = new ConcurrentQueue<string>();
        using var transport = Watched(options, seen);
        using var client = new RegistryClient(upstream.Host, transport, AnonymousKeychain.Instance);

        var image = await RemoteImage.LoadAsync(client, seeded.Reference, Platform.Host, CancellationToken.None);

        Assert.Equal(seeded.ManifestDigest, image.ManifestDigest.ToString());
        Assert.Contains(empty.Host, seen);
        Assert.Contains(upstream.Host, seen);
        Assert.Single(seen, authority => authority == gone);
    }

    [RootFact]
    public async Task Without_fallback_a_mirror_lacking_the_image_is_a_not_found_error_naming_the_mirror()
    {
        var seeded = await BaseImages.SeedBusyboxAsync(upstream);
        await using var empty = await RegistryServer.StartAsync(RegistryMode.Http);
        var options = new RegistryTransportOptions { InsecureRegistries = [upstream.Host, empty.Host], SkipDefaultRegistryFallback = true, PullRetries = 0 }
            .WithMirror(upstream.Host, RegistryMirror.Parse(empty.Host));
        using var transport = Watched(options, new ConcurrentQueue<string>());
        using var client = new RegistryClient(upstream.Host, transport, AnonymousKeychain.Instance);

        var error = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(seeded.Reference, CancellationToken.None));

        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.Contains($"answered by {empty.Host}", error.Message);
    }

    /// <summary>A transport whose every request is recorded by authority before it leaves.</summary>
    private static RegistryTransport Watched(RegistryTransportOptions options, ConcurrentQueue<string> seen) =>
        new(options, inner => new CountingHandler(inner, request =>
        {
            Assert.True(request.RequestUri!.IsLoopback, $"a test request left loopback: {request.RequestUri}");
            seen.Enqueue(request.RequestUri.Authority);
        }));
}

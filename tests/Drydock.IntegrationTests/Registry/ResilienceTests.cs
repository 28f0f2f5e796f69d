using System.Net;
using Drydock.Oci;
using Drydock.Reference;
using Drydock.Registry;
using Drydock.Registry.Errors;
using Drydock.Registry.Transport;

namespace Drydock.IntegrationTests.Registry;

/// <summary>
/// Flaky networks, made by a <see cref="FaultProxy"/> between Drydock and the real registry: 5xx,
/// 429 with Retry-After, connections dropped before a reply or midway through a blob, stalls and
/// slow links. Pulls and pushes get through; a push whose faults never stop fails with one clear
/// error and leaves the tag as it was.
/// </summary>
[Collection(RegistryCollections.Http)]
public sealed class ResilienceTests(HttpRegistry upstream) : IDisposable
{
    private readonly FaultProxy _proxy = new(upstream);

    public void Dispose() => _proxy.Dispose();

    private RegistryTransportOptions Options => new()
    {
        InsecureRegistries = [_proxy.Host],
        PullRetries = 3,
        PushRetries = 3,
        RetryDelay = TimeSpan.FromMilliseconds(20),
        RequestTimeout = TimeSpan.FromSeconds(1),
    };

    [RootFact]
    public async Task A_pull_gets_through_5xx_429_a_refused_reply_and_a_blob_dropped_then_stalled_midway()
    {
        var (reference, layer, config) = await SeededAsync();
        var counts = new Dictionary<string, int>();
        _proxy.Faults = request => (request.Method, Next(counts, request.Method + (request.IsManifest ? "manifest" : request.Path))) switch
        {
            ("GET", 1) when request.IsManifest => new Fault.Status(HttpStatusCode.ServiceUnavailable),
            ("GET", 2) when request.IsManifest => new Fault.Status(HttpStatusCode.TooManyRequests, RetryAfterSeconds: 1),
            ("GET", 1) when request.IsBlob(config.Digest.ToString()) => new Fault.Drop(),
            ("GET", 1) when request.IsBlob(layer.Digest.ToString()) => new Fault.DropAfter(100_000),
            ("GET", 2) when request.IsBlob(layer.Digest.ToString()) => new Fault.StallAfter(100_000, TimeSpan.FromSeconds(3)),
            _ => null,
        };
        using var client = new RegistryClient(_proxy.Host, Options, upstream.Keychain);

        var image = await RemoteImage.LoadAsync(client, reference, Platform.Host, CancellationToken.None);
        await using (var blob = await image.Layers[0].OpenCompressedAsync(CancellationToken.None))
        {
            await blob.CopyToAsync(Stream.Null);
        }

        var requests = _proxy.Requests;
        Assert.Equal([null, "bytes=100000-", "bytes=200000-"], requests.Where(r => r.IsBlob(layer.Digest.ToString())).Select(r => r.Range));
        var limited = requests.Single(r => r.Fault is Fault.Status { Code: HttpStatusCode.TooManyRequests });
        var after = requests.First(r => r.IsManifest && r.At > limited.At);
        Assert.True(after.At - limited.At >= TimeSpan.FromSeconds(0.9), $"Retry-After: 1 was not honoured ({(after.At - limited.At).TotalMilliseconds:0} ms)");
        Assert.Equal(5, requests.Count(r => r.Fault is not null));
    }

    [RootFact]
    public async Task Slow_replies_get_through_a_stalled_one_is_tried_again_and_a_trickling_one_is_waited_for()
    {
        var (reference, layer, _) = await SeededAsync();
        var counts = new Dictionary<string, int>();
        // A 3 s timeout between the 300 ms slow replies and the 5 s stalled one: a loaded CI machine
        // (the suite runs builds beside this) must not push a slow reply past it.
        _proxy.Faults = request => Next(counts, request.Method + request.Path) switch
        {
            1 when request.IsManifest => new Fault.Delay(TimeSpan.FromSeconds(5)),
            _ when request.IsBlob(layer.Digest.ToString()) => new Fault.Trickle(64 * 1024, TimeSpan.FromMilliseconds(20)),
            _ => new Fault.Delay(TimeSpan.FromMilliseconds(300)),
        };
        using var client = new RegistryClient(_proxy.Host, Options with { RequestTimeout = TimeSpan.FromSeconds(3) }, upstream.Keychain);

        var image = await RemoteImage.LoadAsync(client, reference, Platform.Host, CancellationToken.None);
        await using (var blob = await image.Layers[0].OpenCompressedAsync(CancellationToken.None))
        {
            await blob.CopyToAsync(Stream.Null);
        }

        Assert.Single(_proxy.Requests, r => r.IsBlob(layer.Digest.ToString()));
        Assert.Equal(2, _proxy.Requests.Count(r => r.IsManifest));
    }

    [Fact]
    public async Task A_push_gets_through_faults_in_every_step_and_skopeo_reads_it_back()
    {
        var small = InMemoryLayer.Random(size: 2048);
        var large = InMemoryLayer.Random(size: 3 * 1024 * 1024);
        var image = Image.Create(new ImageConfig { Config = new ContainerConfig { Cmd = ["sh"] } }, [small, large], dockerMediaTypes: false);
        var repository = RegistryServer.NewRepository("flaky-push");
        var counts = new Dictionary<string, int>();
        _proxy.Faults = request => (request.Method, Next(counts, request.Method + (request.IsManifest ? "manifest" : request.IsBlobUpload ? "upload" : "blob"))) switch
        {
            ("HEAD", 1) => new Fault.Status(HttpStatusCode.InternalServerError),
            ("POST", 1) => new Fault.Status(HttpStatusCode.BadGateway),
            ("PUT", 1) when request.IsBlobUpload => new Fault.Drop(),
            ("PATCH", 2) => new Fault.Status(HttpStatusCode.ServiceUnavailable),
            ("PUT", 1) when request.IsManifest => new Fault.Status(HttpStatusCode.TooManyRequests, RetryAfterSeconds: 1),
            _ => null,
        };
        using var clients = new RegistryClientPool(Options with { UploadChunkSize = 1024 * 1024 }, upstream.Keychain);
        var destination = _proxy.Reference($"{repository}:v1");

        var digest = await new ImagePusher(clients).PushAsync(image, [destination], CancellationToken.None);

        Assert.Equal(image.ManifestDigest, digest);
        Assert.Equal(5, _proxy.Requests.Count(r => r.Fault is not null));
        var raw = await ToolRunner.RunCheckedAsync("skopeo", ["inspect", "--raw", .. upstream.SkopeoArgs, $"docker://{upstream.Reference($"{repository}:v1")}"]);
        Assert.Equal(System.Text.Encoding.UTF8.GetString(image.RawManifest.Span), raw.StandardOutput.TrimEnd('\n'));
        using var temp = new TempDirectory();
        await ToolRunner.RunCheckedAsync("skopeo", ["--insecure-policy", "copy", .. upstream.SkopeoSourceArgs, $"docker://{upstream.Reference($"{repository}:v1")}", $"oci:{temp.Combine("layout")}:copied"]);
    }

    /// <summary>
    /// The proxy takes the start of the layer's upload, then reads and answers nothing: the attempt
    /// is aborted once the stall timeout passes and the upload starts again. (A stall that never
    /// ends: StreamedPushTests, through the whole command.)
    /// </summary>
    [Fact]
    public async Task An_upload_that_stalls_once_is_aborted_after_the_stall_timeout_and_sent_again()
    {
        var layer = InMemoryLayer.Random(size: 2 * 1024 * 1024);
        var image = Image.Create(new ImageConfig { Config = new ContainerConfig { Cmd = ["sh"] } }, [layer], dockerMediaTypes: false);
        var repository = RegistryServer.NewRepository("stall-once");
        var commit = "digest=" + Uri.EscapeDataString(layer.Descriptor.Digest.ToString());
        var stalls = 0;
        _proxy.Faults = request => request.Method == "PUT" && request.Path.Contains(commit, StringComparison.OrdinalIgnoreCase) && Interlocked.Increment(ref stalls) == 1
            ? new Fault.StallRequestAfter(64 * 1024, TimeSpan.FromMinutes(1))
            : null;
        using var clients = new RegistryClientPool(Options with { PushStallTimeout = TimeSpan.FromSeconds(1) }, upstream.Keychain);

        var digest = await new ImagePusher(clients).PushAsync(image, [_proxy.Reference($"{repository}:v1")], CancellationToken.None);

        Assert.Equal(image.ManifestDigest, digest);
        var attempts = _proxy.Requests.Where(r => r.Method == "PUT" && r.Path.Contains(commit, StringComparison.OrdinalIgnoreCase)).ToArray();
        Assert.Equal(2, attempts.Length);
        Assert.IsType<Fault.StallRequestAfter>(attempts[0].Fault);
        var aborted = attempts[1].At - attempts[0].At;
        Assert.True(aborted >= TimeSpan.FromSeconds(0.9) && aborted < TimeSpan.FromSeconds(10), $"the stalled attempt was given up after {aborted.TotalSeconds:0.0} s, not after the 1 s stall timeout");
        using var temp = new TempDirectory();
        await ToolRunner.RunCheckedAsync("skopeo", ["--insecure-policy", "copy", .. upstream.SkopeoSourceArgs, $"docker://{upstream.Reference($"{repository}:v1")}", $"oci:{temp.Combine("layout")}:copied"]);
    }

    [Fact]
    public async Task A_push_whose_faults_never_stop_fails_clearly_and_leaves_the_tag_untouched()
    {
        var repository = RegistryServer.NewRepository("never");
        var before = Image.Create(new ImageConfig(), [InMemoryLayer.Random()], dockerMediaTypes: false);
        using (var direct = new RegistryClientPool(upstream.TransportOptions, upstream.Keychain))
        {
            await new ImagePusher(direct).PushAsync(before, [upstream.Reference($"{repository}:stable")], CancellationToken.None);
        }

        var after = Image.Create(new ImageConfig(), [InMemoryLayer.Random(), InMemoryLayer.Random()], dockerMediaTypes: false);
        _proxy.Faults = request => request.IsBlobUpload && request.Method == "PUT" ? new Fault.Status(HttpStatusCode.ServiceUnavailable) : null;
        using var clients = new RegistryClientPool(Options with { PushRetries = 2 }, upstream.Keychain);

        var error = await Assert.ThrowsAsync<RegistryException>(() => new ImagePusher(clients).PushAsync(after, [_proxy.Reference($"{repository}:stable")], CancellationToken.None));

        Assert.StartsWith($"pushing blob sha256:", error.Message);
        Assert.Contains("503 INJECTED: fault injected by the test proxy", error.Message);
        Assert.True(error.IsTransient);
        Assert.DoesNotContain(_proxy.Requests, r => r.IsManifest);
        using var check = upstream.CreateClient();
        Assert.Equal(before.ManifestDigest, (await check.GetManifestAsync(upstream.Reference($"{repository}:stable"), CancellationToken.None)).Digest);
    }

    /// <summary>The busybox image in the registry, as seen through the proxy, and its layer and config descriptors.</summary>
    private async Task<(ImageReference Reference, Descriptor Layer, Descriptor Config)> SeededAsync()
    {
        var seeded = await BaseImages.SeedBusyboxAsync(upstream);
        using var direct = upstream.CreateClient();
        var image = await RemoteImage.LoadAsync(direct, seeded.Reference, Platform.Host, CancellationToken.None);
        Assert.True(image.Layers[0].Descriptor.Size > 300_000, "the fault offsets assume a layer of more than 300 kB");
        return (_proxy.Reference($"{seeded.Reference.Repository}:{seeded.Reference.Tag}"), image.Layers[0].Descriptor, image.Manifest.Config);
    }

    /// <summary>Counts requests per key: 1 for the first of its kind, 2 for the second…</summary>
    private static int Next(Dictionary<string, int> counts, string key)
    {
        lock (counts)
        {
            return counts[key] = counts.GetValueOrDefault(key) + 1;
        }
    }
}

using Drydock.Oci;
using Drydock.Registry;

namespace Drydock.IntegrationTests.Building;

/// <summary>
/// Whole builds whose new layers upload while they are compressed: the layer goes to the registry
/// once (streamed, committed, skipped by the push) and skopeo reads a valid image back; a build
/// that fails after streaming a layer leaves no tag; an upload that stalls for good ends the build
/// with one error and the tag as it was.
/// </summary>
[Collection(RegistryCollections.Http)]
public sealed class StreamedPushTests(HttpRegistry server) : IDisposable
{
    private readonly TempDirectory _work = new("drydock-e2e-streamed-");
    private readonly FaultProxy _proxy = new(server);

    public void Dispose()
    {
        _proxy.Dispose();
        _work.Dispose();
    }

    /// <summary>40 MiB of random bytes compress to more than one 32 MiB chunk: one is sent while the layer is written.</summary>
    [RootFact]
    public async Task A_large_layer_is_streamed_once_and_skopeo_reads_the_image_back()
    {
        var content = RandomBytes(40 * 1024 * 1024);
        using var context = new ContextDirectory().Dockerfile("FROM scratch\nCOPY big.bin /big.bin\n");
        await File.WriteAllBytesAsync(Path.Combine(context.Path, "big.bin"), content);
        var repository = RegistryServer.NewRepository("streamed-build");

        // Without the push check's upload session, every request the proxy sees is the build's.
        var result = await DrydockRunner.BuildAsync(["--insecure-registry", _proxy.Host, "--skip-push-permission-check", "--verbosity", "debug", "--destination", $"{_proxy.Host}/{repository}:v1", context.Path]);

        var digest = DrydockRunner.Digest(result);
        var inspector = new ImageInspector(server);
        var reference = server.Reference($"{repository}:v1").ToString();
        Assert.Equal(digest, await inspector.DigestAsync(reference));
        var layer = (string)(await inspector.ManifestAsync(reference))["layers"]![0]!["digest"]!;
        Assert.Contains($"streamed {layer} to {_proxy.Host}/{repository} while it was written", result.StandardError, StringComparison.Ordinal);
        Assert.Contains($"{BlobPushOutcome.Streamed} {layer} to {_proxy.Host}/{repository}", result.StandardError, StringComparison.Ordinal);

        // One upload session carried the layer: its chunks, then one commit; nothing was sent again.
        var commits = _proxy.Requests.Where(r => r.Method == "PUT" && r.Path.Contains("digest=" + Uri.EscapeDataString(layer), StringComparison.OrdinalIgnoreCase)).ToArray();
        Assert.Single(commits);
        var session = commits[0].Path[..commits[0].Path.IndexOf('?', StringComparison.Ordinal)];
        Assert.Equal(2, _proxy.Requests.Count(r => r.Method == "PATCH" && r.Path.StartsWith(session + "?", StringComparison.Ordinal)));
        Assert.Equal(2, _proxy.Requests.Count(r => r.Method == "POST" && r.IsBlobUpload));

        // skopeo checks every blob against its digest as it copies; umoci then unpacks the layer.
        var image = await inspector.UnpackAsync(reference, _work.Path);
        Assert.Equal(content, await File.ReadAllBytesAsync(image.HostPath("/big.bin")));
    }

    [RootFact]
    public async Task A_build_failing_after_a_layer_was_streamed_leaves_no_tag()
    {
        var seeded = await BaseImages.SeedBusyboxAsync(server);
        using var context = new ContextDirectory().Dockerfile($"FROM {seeded.Reference}\nCOPY data.bin /data.bin\nRUN exit 3\n");
        await File.WriteAllBytesAsync(Path.Combine(context.Path, "data.bin"), RandomBytes(1024 * 1024));
        var reference = server.Reference(RegistryServer.NewRepository("streamed-failed") + ":latest").ToString();

        var result = await DrydockRunner.BuildAsync(["--insecure-registry", server.Host, "--verbosity", "debug", "--destination", reference, context.Path]);

        Assert.Contains("Dockerfile:3", DrydockRunner.AssertOneError(result, exitCode: 3), StringComparison.Ordinal);

        // The COPY layer's upload was committed, or cancelled with its session when the RUN failed first.
        Assert.True(
            result.StandardError.Contains("streamed sha256:", StringComparison.Ordinal) || result.StandardError.Contains($"streaming a layer to {server.Host}/", StringComparison.Ordinal),
            $"the COPY layer must have been streamed:\n{result}");
        await new ImageInspector(server).AssertAbsentAsync(reference, $"the build failed after streaming a layer\n{result}");
    }

    /// <summary>The stalls come from the <see cref="FaultProxy"/> in front of the real registry: it takes part of each upload body, then reads and answers nothing.</summary>
    [RootFact]
    public async Task An_upload_stalled_for_good_fails_the_build_with_one_error_and_the_tag_as_it_was()
    {
        var repository = RegistryServer.NewRepository("stalled");
        var before = Image.Create(new ImageConfig(), [InMemoryLayer.Random()], dockerMediaTypes: false);
        using (var clients = new RegistryClientPool(server.TransportOptions, server.Keychain))
        {
            await new ImagePusher(clients).PushAsync(before, [server.Reference($"{repository}:stable")], CancellationToken.None);
        }

        _proxy.Faults = request => request.IsBlobUpload && request.Method is "PUT" or "PATCH" ? new Fault.StallRequestAfter(16 * 1024, TimeSpan.FromMinutes(1)) : null;
        using var context = new ContextDirectory().Dockerfile("FROM scratch\nCOPY data.bin /data.bin\n");
        await File.WriteAllBytesAsync(Path.Combine(context.Path, "data.bin"), RandomBytes(256 * 1024));

        var result = await DrydockRunner.BuildAsync(
            ["--insecure-registry", _proxy.Host, "--push-stall-timeout", "1s", "--push-retry", "1", "--destination", $"{_proxy.Host}/{repository}:stable", context.Path]);

        var error = DrydockRunner.AssertOneError(result);
        Assert.Contains("the upload made no progress for 1 s", error, StringComparison.Ordinal);
        Assert.DoesNotContain(_proxy.Requests, r => r.IsManifest && r.Method == "PUT");
        Assert.Equal(before.ManifestDigest.ToString(), await new ImageInspector(server).DigestAsync(server.Reference($"{repository}:stable").ToString()));
    }

    private static byte[] RandomBytes(int size)
    {
        var bytes = new byte[size];
        new Random(size).NextBytes(bytes);
        return bytes;
    }
}

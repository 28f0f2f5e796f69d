using System.Collections.Concurrent;
using Drydock.Oci;
using Drydock.Reference;
using Drydock.Registry;

namespace Drydock.IntegrationTests.Registry;

/// <summary>
/// Blobs uploaded to the real registry while a test is still writing them (as the layer writer
/// does during a build): the registry's upload session holds bytes before the writer is done, the
/// blob it stores is the one written, the push at the end skips what was streamed, and an upload
/// whose writer fails or whose uploads are cancelled leaves no session behind.
/// </summary>
[Collection(RegistryCollections.Http)]
public sealed class StreamedUploadTests(HttpRegistry server) : IDisposable
{
    private const int ChunkSize = 128 * 1024;

    private readonly TempDirectory _temp = new("drydock-streamed-");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_blob_reaches_the_registry_while_it_is_written_and_is_stored_whole()
    {
        var layer = InMemoryLayer.Random(size: 1024 * 1024);
        var bytes = await BytesOfAsync(layer);
        var repository = RegistryServer.NewRepository("streamed");
        using var client = server.CreateClient(server.TransportOptions with { UploadChunkSize = ChunkSize });
        await using var writing = Writing(out var blob);

        var upload = client.StreamBlobAsync(repository, blob, CancellationToken.None);
        await writing.File.WriteAsync(bytes.AsMemory(0, bytes.Length / 2));

        // Every whole chunk of the half written so far reaches the registry's upload session.
        await WaitForAsync(() => SessionBytes(repository) >= bytes.Length / 2 / ChunkSize * ChunkSize, "the first half's chunks to reach the registry");
        Assert.False(upload.IsCompleted, "the upload cannot end before the blob is written");

        await writing.File.WriteAsync(bytes.AsMemory(bytes.Length / 2));
        blob.Complete(layer.Descriptor);
        Assert.Equal(layer.Descriptor.Digest, (await upload).Digest);

        // Read back through a verifying stream: it throws unless the registry's bytes hash to the digest.
        var stored = new MemoryStream();
        await using (var read = await client.OpenBlobAsync(repository, layer.Descriptor, CancellationToken.None))
        {
            await read.CopyToAsync(stored);
        }

        Assert.Equal(bytes, stored.ToArray());
        Assert.Equal(0, SessionBytes(repository));
    }

    [Fact]
    public async Task A_writer_that_fails_ends_the_upload_and_its_session_is_deleted()
    {
        var bytes = await BytesOfAsync(InMemoryLayer.Random(size: 512 * 1024));
        var repository = RegistryServer.NewRepository("streamed-failed");
        using var client = server.CreateClient(server.TransportOptions with { UploadChunkSize = ChunkSize });
        await using var writing = Writing(out var blob);

        var upload = client.StreamBlobAsync(repository, blob, CancellationToken.None);
        await writing.File.WriteAsync(bytes.AsMemory(0, 2 * ChunkSize));
        await WaitForAsync(() => SessionBytes(repository) >= 2 * ChunkSize, "two chunks to reach the registry");
        blob.Fail(new InvalidOperationException("the build failed"));

        var error = await Assert.ThrowsAsync<IOException>(() => upload);
        Assert.Contains("the build failed", error.Message);
        Assert.Empty(Sessions(repository));
    }

    /// <summary>
    /// Three destinations, two in one registry: the layer is streamed once per registry and mounted
    /// into the second repository; the push then sends only the config, and skopeo copies the image
    /// (checking every blob against its digest).
    /// </summary>
    [Fact]
    public async Task The_push_skips_streamed_layers_and_other_repositories_of_a_registry_mount_them()
    {
        await using var second = await RegistryServer.StartAsync(RegistryMode.Http);
        using var proxy = new FaultProxy(server);
        var options = server.TransportOptions with { InsecureRegistries = [proxy.Host, second.Host], UploadChunkSize = ChunkSize };
        using var clients = new RegistryClientPool(options, server.Keychain);
        var layer = InMemoryLayer.Random(size: 600 * 1024);
        var bytes = await BytesOfAsync(layer);
        var opened = layer.Opens;
        var image = Image.Create(new ImageConfig { Config = new ContainerConfig { Cmd = ["sh"] } }, [layer], dockerMediaTypes: false);
        var repository = RegistryServer.NewRepository("early");
        ImageReference[] destinations = [proxy.Reference($"{repository}:a"), proxy.Reference($"{repository}-copy:b"), second.Reference($"{repository}:c")];
        var log = new ConcurrentQueue<string>();
        var reports = new List<BlobPushed>();

        await using (var uploads = new EarlyBlobUploads(clients, destinations, log.Enqueue))
        {
            await using (var writing = Writing(out var blob))
            {
                uploads.Start(blob);
                await writing.File.WriteAsync(bytes.AsMemory(0, 3 * ChunkSize));
                // A chunk is sent before the layer is finished.
                await proxy.RequestAsync(r => r.Method == "PATCH").WaitAsync(TimeSpan.FromSeconds(20));
                await writing.File.WriteAsync(bytes.AsMemory(3 * ChunkSize));
                blob.Complete(layer.Descriptor);
            }

            await new ImagePusher(clients).PushAsync(image, destinations, new SyncProgress<BlobPushed>(reports.Add), uploads, CancellationToken.None);
        }

        Assert.Equal(opened, layer.Opens);
        Assert.Equal(3, reports.Count(r => r.Descriptor.Digest == layer.Descriptor.Digest && r.Outcome == BlobPushOutcome.Streamed));
        var digestQuery = "digest=" + Uri.EscapeDataString(layer.Descriptor.Digest.ToString());
        Assert.Single(proxy.Requests, r => r.Method == "PUT" && r.Path.Contains(digestQuery, StringComparison.OrdinalIgnoreCase));
        Assert.Single(proxy.Requests, r => r.Method == "POST" && r.Path.Contains($"/{repository}-copy/blobs/uploads/?mount={Uri.EscapeDataString(layer.Descriptor.Digest.ToString())}", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(log, line => line.StartsWith($"streamed {layer.Descriptor.Digest} to {second.Host}/{repository}", StringComparison.Ordinal));
        foreach (var (registry, reference) in new[] { (server, server.Reference($"{repository}-copy:b")), (second, second.Reference($"{repository}:c")) })
        {
            await ToolRunner.RunCheckedAsync("skopeo", ["--insecure-policy", "copy", "--quiet", .. registry.SkopeoSourceArgs, $"docker://{reference}", $"oci:{_temp.Combine("copy-" + registry.Port)}:t"]);
        }
    }

    [Fact]
    public async Task Disposing_the_uploads_cancels_a_running_one_and_deletes_its_session()
    {
        var repository = RegistryServer.NewRepository("early-cancelled");
        using var clients = new RegistryClientPool(server.TransportOptions with { UploadChunkSize = ChunkSize }, server.Keychain);
        var layer = InMemoryLayer.Random(size: 512 * 1024);
        var bytes = await BytesOfAsync(layer);
        var log = new ConcurrentQueue<string>();
        var uploads = new EarlyBlobUploads(clients, [server.Reference($"{repository}:v1")], log.Enqueue);
        await using var writing = Writing(out var blob);

        uploads.Start(blob);
        await writing.File.WriteAsync(bytes.AsMemory(0, 2 * ChunkSize));
        await WaitForAsync(() => SessionBytes(repository) >= 2 * ChunkSize, "two chunks to reach the registry");
        await uploads.DisposeAsync();

        Assert.Empty(Sessions(repository));
        Assert.Contains(log, line => line.StartsWith($"streaming a layer to {server.Host}/{repository} stopped", StringComparison.Ordinal));
        using var client = server.CreateClient();
        Assert.False(await client.BlobExistsAsync(repository, layer.Descriptor.Digest, CancellationToken.None));
    }

    private static async Task<byte[]> BytesOfAsync(ILayer layer)
    {
        var buffer = new MemoryStream();
        await using (var stream = await layer.OpenCompressedAsync(CancellationToken.None))
        {
            await stream.CopyToAsync(buffer);
        }

        return buffer.ToArray();
    }

    /// <summary>A fresh blob file as the layer writer makes one, followed by a <see cref="GrowingFile"/>; writes go through its tracking stream.</summary>
    private WritingFile Writing(out GrowingFile blob)
    {
        var path = _temp.Combine(Guid.NewGuid().ToString("N"));
        var file = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, BufferSize = 0 });
        blob = new GrowingFile(path);
        return new WritingFile(file, blob.Track(file));
    }

    /// <summary>
    /// The data files of a repository's open upload sessions (distribution's storage layout; a
    /// deleted session loses its data, though distribution 2.8 leaves its hash states behind).
    /// </summary>
    private string[] Sessions(string repository)
    {
        var uploads = Path.Combine(server.StorageDirectory, "docker", "registry", "v2", "repositories", repository, "_uploads");
        return Directory.Exists(uploads) ? Directory.GetDirectories(uploads).Select(s => Path.Combine(s, "data")).Where(File.Exists).ToArray() : [];
    }

    /// <summary>The bytes the registry holds in a repository's open upload sessions.</summary>
    private long SessionBytes(string repository) => Sessions(repository).Sum(f => new FileInfo(f).Length);

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }

    private sealed record WritingFile(FileStream Underlying, Stream File) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Underlying.DisposeAsync();
    }
}

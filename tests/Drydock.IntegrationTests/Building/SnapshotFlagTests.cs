using System.Text.Json;

namespace Drydock.IntegrationTests.Building;

/// <summary>
/// The snapshot and layer flags through the real command: both snapshotters and repeated builds
/// give the same digest with --reproducible, zstd and --single-snapshot change the layers as asked.
/// </summary>
public sealed class SnapshotFlagTests : IDisposable
{
    private const string Dockerfile = """
        FROM scratch
        COPY busybox /bin/busybox
        RUN ["/bin/busybox", "--install", "-s", "/bin"]
        RUN mkdir -p /app && echo one > /app/one && rm /bin/vi
        WORKDIR /app
        RUN ln -s one two && chmod 0600 one
        """;

    private readonly ContextDirectory _context = new ContextDirectory().Dockerfile(Dockerfile);
    private readonly TempDirectory _out = new("drydock-snapshot-it-");

    public SnapshotFlagTests() => File.Copy("/bin/busybox", Path.Combine(_context.Path, "busybox"));

    public void Dispose()
    {
        _context.Dispose();
        _out.Dispose();
    }

    [RootFact]
    public async Task Overlay_and_walk_snapshots_give_the_same_reproducible_image()
    {
        var overlay = await BuildAsync("--reproducible", "--snapshotter", "overlay");
        var walk = await BuildAsync("--reproducible", "--snapshotter", "walk");
        var again = await BuildAsync("--reproducible", "--snapshotter", "walk");

        Assert.Equal(overlay.Digest, walk.Digest);
        Assert.Equal(walk.Digest, again.Digest);
        Assert.Equal("1970-01-01T00:00:00Z", overlay.Config.GetProperty("created").GetString());
        Assert.Equal(4, overlay.Manifest.GetProperty("layers").GetArrayLength());
    }

    [RootFact]
    public async Task Zstd_layers_use_the_oci_zstd_type_and_decompress_with_the_zstd_tool()
    {
        var build = await BuildAsync("--compression", "zstd", "--compression-level", "5");
        var layers = build.Manifest.GetProperty("layers").EnumerateArray().ToArray();
        Assert.NotEmpty(layers);
        Assert.All(layers, l => Assert.Equal("application/vnd.oci.image.layer.v1.tar+zstd", l.GetProperty("mediaType").GetString()));

        var blob = build.Blob(layers[0].GetProperty("digest").GetString()!);
        var listing = await ToolRunner.RunCheckedAsync("sh", ["-c", $"zstd -dc '{blob}' | tar -t"]);
        Assert.Contains("bin/busybox", listing.StandardOutput, StringComparison.Ordinal);
    }

    [RootFact]
    public async Task Single_snapshot_makes_one_layer_with_every_change()
    {
        var build = await BuildAsync("--single-snapshot");
        var layers = build.Manifest.GetProperty("layers").EnumerateArray().ToArray();
        Assert.Single(layers);

        var blob = build.Blob(layers[0].GetProperty("digest").GetString()!);
        var listing = (await ToolRunner.RunCheckedAsync("tar", ["-tzf", blob])).StandardOutput;
        Assert.Contains("bin/busybox", listing, StringComparison.Ordinal);
        Assert.Contains("app/two", listing, StringComparison.Ordinal);
        Assert.DoesNotContain("bin/vi\n", listing, StringComparison.Ordinal);
    }

    [RootFact]
    public async Task A_bad_compression_level_is_refused_before_building()
    {
        var result = await DrydockRunner.BuildAsync(["--no-push", "--compression-level", "12", _context.Path]);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--compression-level 12: The gzip level must be 0 to 9.", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("Step 1", result.StandardError, StringComparison.Ordinal);
    }

    private async Task<LayoutImage> BuildAsync(params string[] flags)
    {
        var layout = _out.Combine(Guid.NewGuid().ToString("N"));
        var result = await DrydockRunner.BuildAsync(["--no-push", "--oci-layout-path", layout, .. flags, _context.Path]);
        Assert.True(result.Succeeded, $"drydock failed:\n{result}");
        return LayoutImage.Read(layout, DrydockRunner.Digest(result));
    }

    /// <summary>An image in an OCI layout, read with plain JSON (not with Drydock's own model).</summary>
    private sealed record LayoutImage(string Layout, string Digest, JsonElement Manifest, JsonElement Config)
    {
        public static LayoutImage Read(string layout, string digest)
        {
            var manifest = JsonDocument.Parse(File.ReadAllBytes(BlobPath(layout, digest))).RootElement;
            var config = JsonDocument.Parse(File.ReadAllBytes(BlobPath(layout, manifest.GetProperty("config").GetProperty("digest").GetString()!))).RootElement;
            return new LayoutImage(layout, digest, manifest, config);
        }

        public string Blob(string digest) => BlobPath(Layout, digest);

        private static string BlobPath(string layout, string digest) => Path.Combine(layout, "blobs", "sha256", digest["sha256:".Length..]);
    }
}

using System.Globalization;

namespace Drydock.IntegrationTests.Building;

/// <summary>
/// A whole build on a base image whose layers GNU tar wrote with sparse files (old GNU 'S' entries
/// with extension blocks, PAX 0.0): a 64 GiB apparent /var/log/lastlog costs its few KiB of data in
/// extraction, snapshots, RUN and push, and a small sparse file copied to another stage round-trips.
/// Checked with skopeo, GNU tar, umoci and cmp.
/// </summary>
[Collection(RegistryCollections.Http)]
public sealed class SparseBuildTests(HttpRegistry server) : IDisposable
{
    private const string CopiedPath = "/copied/small";

    // The RUN steps see lastlog's apparent size and blocks, and the block at each data segment.
    private static readonly string Dockerfile = $$"""
        ARG BASE
        FROM ${BASE} AS first
        RUN echo touched > /etc/touched
        RUN stat -c '%s %b' {{SparseBaseImage.LastlogPath}} > /sizes
        RUN for offset in {{string.Join(' ', SparseBaseImage.LastlogSegments)}}; do dd if={{SparseBaseImage.LastlogPath}} bs={{SparseBaseImage.LastlogSegmentLength}} skip=$((offset / {{SparseBaseImage.LastlogSegmentLength}})) count=1 2>/dev/null; done > /segments

        FROM first
        COPY --from=first {{SparseBaseImage.SmallPath}} {{CopiedPath}}
        """;

    // A layer holding lastlog's 64 GiB dense would gzip to about 64 MB.
    private const long SmallLayer = 1 << 20;

    private readonly TempDirectory _work = new("drydock-e2e-sparse-");

    public void Dispose() => _work.Dispose();

    [RootTheory]
    [InlineData("walk-full", "--snapshotter walk --snapshot-mode full")]
    [InlineData("overlay", "--snapshotter overlay")]
    public async Task Sparse_base_layers_pass_through_a_build_unchanged_and_cost_their_data(string name, string flags)
    {
        var seeded = await SparseBaseImage.SeedAsync(server);
        var sparseBase = await SparseBaseImage.LayoutAsync();
        using var context = new ContextDirectory().Dockerfile(Dockerfile);
        var reference = server.Reference(RegistryServer.NewRepository("sparse-" + name) + ":latest").ToString();

        var result = await DrydockRunner.BuildAsync([
            "--insecure", "--build-arg", $"BASE={seeded.Reference}", "--destination", reference,
            .. flags.Split(' ', StringSplitOptions.RemoveEmptyEntries), "--context", context.Path]);
        DrydockRunner.Digest(result);

        var inspector = new ImageInspector(server);
        var layout = await inspector.CopyToLayoutAsync(reference, _work.Combine());
        var layers = (await ImageInspector.LayoutManifestAsync(layout, "image"))["layers"]!.AsArray();
        var baseCount = sparseBase.LayerDigests.Count;
        Assert.Equal(sparseBase.LayerDigests, layers.Take(baseCount).Select(l => l!["digest"]!.GetValue<string>()));
        Assert.Equal(baseCount + 4, layers.Count);

        // The unchanged lastlog is in no new layer: each holds just what its step wrote.
        var entries = await ImageInspector.LayerEntriesAsync(layout, "image");
        Assert.Equal(["etc", "etc/touched"], entries[baseCount]);
        Assert.Equal(["sizes"], entries[baseCount + 1]);
        Assert.Equal(["segments"], entries[baseCount + 2]);
        Assert.Equal(["copied", CopiedPath.TrimStart('/')], entries[baseCount + 3]);
        Assert.All(layers.Skip(baseCount), l => Assert.True(l!["size"]!.GetValue<long>() < SmallLayer, $"a new layer is too big: {l.ToJsonString()}"));

        var image = await ImageInspector.UnpackLayersFromAsync(layout, "image", baseCount, _work.Combine("bundle"));
        Assert.Equal("touched\n", await File.ReadAllTextAsync(image.HostPath("/etc/touched")));
        var sizes = (await File.ReadAllTextAsync(image.HostPath("/sizes"))).Split(' ').Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(SparseBaseImage.LastlogSize, sizes[0]);
        Assert.True(sizes[1] * 512 < SmallLayer, $"lastlog took {sizes[1]} blocks in the build");
        Assert.Equal(await SegmentsAsync(sparseBase.LastlogSource), await File.ReadAllBytesAsync(image.HostPath("/segments")));

        // The copy is written into its layer dense (README, Layers): the bytes must come back exact.
        var copied = image.HostPath(CopiedPath);
        Assert.Equal(SparseBaseImage.SmallSize, new FileInfo(copied).Length);
        await ToolRunner.RunCheckedAsync("cmp", [sparseBase.SmallSource, copied]);
    }

    // Read at each offset, never through the holes.
    private static async Task<byte[]> SegmentsAsync(string path)
    {
        await using var file = File.OpenRead(path);
        var segments = new byte[SparseBaseImage.LastlogSegments.Count * SparseBaseImage.LastlogSegmentLength];
        for (var i = 0; i < SparseBaseImage.LastlogSegments.Count; i++)
        {
            file.Position = SparseBaseImage.LastlogSegments[i];
            await file.ReadExactlyAsync(segments.AsMemory(i * SparseBaseImage.LastlogSegmentLength, SparseBaseImage.LastlogSegmentLength));
        }

        return segments;
    }
}

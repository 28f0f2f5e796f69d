using System.Formats.Tar;
using System.IO.Compression;
using Drydock.Building;

namespace Drydock.Tests.Building.Steps;

/// <summary>
/// VOLUME creates a missing directory as kaniko does: not in a layer of its own, but in the next
/// step's snapshot; one that exists is left as it is.
/// </summary>
public sealed class VolumeStepTests
{
    [RootFact]
    public async Task A_missing_volume_lands_in_the_next_layer_root_owned_0755()
    {
        using var scenario = new BuildScenario("FROM scratch\nVOLUME /data /srv/cache\nRUN touch\n");
        var image = await scenario.BuildAsync();

        Assert.Equal(["VOLUME /data /srv/cache (empty)", "RUN /bin/sh -c touch"], image.History);
        Assert.Equal(
            ["data/ 755 0:0", "srv/ 755 0:0", "srv/cache/ 755 0:0"],
            LayerEntries(image, 0));
        Assert.Equal(["/data", "/srv/cache"], image.Config["config"]!["Volumes"]!.AsObject().Select(p => p.Key));
    }

    [RootFact]
    public async Task A_volume_last_in_the_stage_makes_no_layer()
    {
        using var scenario = new BuildScenario("FROM scratch\nVOLUME /data\n");
        var image = await scenario.BuildAsync();

        Assert.Equal(0, image.LayerCount);
    }

    [RootTheory]
    [InlineData(SnapshotterKind.Walk)]
    [InlineData(SnapshotterKind.Overlay)]
    public async Task A_volume_last_in_a_stage_is_in_no_layer_but_in_the_stage_later_stages_copy_from(SnapshotterKind snapshotter)
    {
        using var scenario = new BuildScenario("FROM scratch AS volumes\nVOLUME /data\nFROM scratch\nCOPY --from=volumes /data /copied\n");
        var image = await scenario.BuildAsync(options => options with { Snapshotter = snapshotter });

        Assert.Equal(["copied/ 755 0:0"], LayerEntries(image, 0));
    }

    [RootFact]
    public async Task An_existing_directory_is_left_as_it_is()
    {
        using var scenario = new BuildScenario("FROM scratch\nCOPY --chown=5:6 --chmod=700 d /data\nVOLUME /data\nRUN touch\n").File("d/f", "f");
        var image = await scenario.BuildAsync();

        // The RUN's layer holds only what the sandbox wrote: /data was not touched.
        Assert.Equal(2, image.LayerCount);
        Assert.Empty(LayerEntries(image, 1));
    }

    // Each entry of one layer as "name mode uid:gid", but for the marker RecordingSandbox writes under /ran.
    private static List<string> LayerEntries(BuiltImage image, int index)
    {
        var digest = image.Manifest["layers"]![index]!["digest"]!.GetValue<string>();
        var blob = Path.Combine(image.Layout, "blobs", "sha256", digest["sha256:".Length..]);
        using var gzip = new GZipStream(File.OpenRead(blob), CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        var entries = new List<string>();
        while (tar.GetNextEntry() is { } entry)
        {
            if (entry.Name.StartsWith("ran/", StringComparison.Ordinal))
            {
                continue;
            }

            entries.Add($"{entry.Name} {Convert.ToString((int)entry.Mode, 8)} {entry.Uid}:{entry.Gid}");
        }

        return entries;
    }
}

using Drydock.Cache;
using Drydock.Oci;

namespace Drydock.Tests.Cache;

public sealed class CacheEntryImageTests
{
    private static readonly DateTimeOffset Made = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    private static CacheKey Key(SourceDigest? sources = null) => new(
        [new(CacheKey.ParentPart, Digest.Sha256("p"u8).ToString()), new(CacheKey.InstructionPart, "COPY app.txt ./"), new(CacheKey.ArgumentPrefix + "A", CacheKey.Hidden("v"))],
        sources);

    [Fact]
    public void An_entry_reads_back_from_its_manifest_alone()
    {
        var layer = new FileLayer("/nonexistent", new Descriptor { MediaType = MediaTypes.DockerLayerGzip, Digest = Digest.Sha256("blob"u8), Size = 4 }, Digest.Sha256("tar"u8));
        var history = new HistoryEntry { CreatedBy = "COPY app.txt ./", Created = Timestamp.From(Made.AddDays(-1)) };

        var image = CacheEntryImage.Create(Key(), layer, history, Made, "linux", "amd64");
        var entry = CacheEntryImage.Read(OciJson.ReadManifest(image.RawManifest.Span));

        Assert.NotNull(entry);
        Assert.Equal(MediaTypes.OciLayerGzip, entry.Layer!.Value.Descriptor.MediaType);
        Assert.Equal(layer.Descriptor.Digest, entry.Layer.Value.Descriptor.Digest);
        Assert.Equal(layer.DiffId, entry.Layer.Value.DiffId);
        Assert.Equal("COPY app.txt ./", entry.CreatedBy);
        Assert.Equal(Made.AddDays(-1), entry.HistoryCreated);
        Assert.Equal(Made, entry.Made);
        Assert.Equal(Key().Parts.ToDictionary(p => p.Name, p => p.Value), entry.Parts);
        Assert.Equal([layer.DiffId], image.Config.RootFs.DiffIds);
    }

    [Fact]
    public void A_step_that_changed_nothing_is_an_entry_without_layers()
    {
        var image = CacheEntryImage.Create(Key(), null, new HistoryEntry { CreatedBy = "RUN true" }, Made, "linux", "amd64");
        var entry = CacheEntryImage.Read(image.Manifest);

        Assert.Empty(image.Manifest.Layers);
        Assert.Null(entry!.Layer);
        Assert.True(image.Config.History.Single().EmptyLayer);
    }

    [Fact]
    public void The_config_lists_the_source_files_by_path()
    {
        IReadOnlyList<SourceFileDigest> files = [new("app.txt", Digest.Sha256("a"u8)), new("src/main.c", Digest.Sha256("m"u8))];
        var image = CacheEntryImage.Create(Key(new SourceDigest(Digest.Sha256("s"u8), files)), null, new HistoryEntry { CreatedBy = "COPY" }, Made, "linux", "amd64");

        Assert.Equal(files, CacheEntryImage.SourcesOf(OciJson.ReadConfig(image.RawConfig.Span)));
    }

    [Fact]
    public void A_manifest_that_is_not_an_entry_reads_as_none()
    {
        var other = Image.Create(new ImageConfig(), [], dockerMediaTypes: false);

        Assert.Null(CacheEntryImage.Read(other.Manifest));
    }
}

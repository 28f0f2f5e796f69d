using System.Text.Json.Nodes;
using Drydock.Oci;

namespace Drydock.Tests.Oci;

public sealed class PlatformIndexTests
{
    [Fact]
    public void Lists_each_manifest_with_the_platform_its_config_names()
    {
        var amd64 = ImageFor("amd64", variant: null, docker: false);
        var arm = ImageFor("arm", variant: "v7", docker: false);

        var index = PlatformIndex.Create([amd64, arm]);

        Assert.Equal(MediaTypes.OciIndex, index.MediaType);
        Assert.Equal(Digest.Sha256(index.RawIndex.Span), index.Digest);
        var json = JsonNode.Parse(index.RawIndex.Span)!;
        Assert.Equal(2, (int)json["schemaVersion"]!);
        Assert.Equal(MediaTypes.OciIndex, (string?)json["mediaType"]);
        var entries = json["manifests"]!.AsArray();
        Assert.Equal(2, entries.Count);
        AssertEntry(entries[0]!, amd64, "amd64", null);
        AssertEntry(entries[1]!, arm, "arm", "v7");
    }

    [Fact]
    public void Docker_manifests_only_make_a_Docker_manifest_list()
    {
        var index = PlatformIndex.Create([ImageFor("amd64", null, docker: true), ImageFor("arm64", null, docker: true)]);
        Assert.Equal(MediaTypes.DockerManifestList, index.MediaType);
        Assert.Equal(2, index.Index.Manifests.Count);
        Assert.All(index.Index.Manifests, m => Assert.Equal(MediaTypes.DockerManifest, m.MediaType));
    }

    [Fact]
    public void One_OCI_manifest_among_Docker_ones_makes_an_OCI_index()
    {
        var index = PlatformIndex.Create([ImageFor("amd64", null, docker: true), ImageFor("arm64", null, docker: false)]);
        Assert.Equal(MediaTypes.OciIndex, index.MediaType);
    }

    private static void AssertEntry(JsonNode entry, Image image, string architecture, string? variant)
    {
        Assert.Equal(image.MediaType, (string?)entry["mediaType"]);
        Assert.Equal(image.ManifestDigest.ToString(), (string?)entry["digest"]);
        Assert.Equal(image.RawManifest.Length, (long)entry["size"]!);
        Assert.Equal("linux", (string?)entry["platform"]!["os"]);
        Assert.Equal(architecture, (string?)entry["platform"]!["architecture"]);
        Assert.Equal(variant, (string?)entry["platform"]!["variant"]);
    }

    private static Image ImageFor(string architecture, string? variant, bool docker) =>
        Image.Create(new ImageConfig { Os = "linux", Architecture = architecture, Variant = variant }, [], docker);
}

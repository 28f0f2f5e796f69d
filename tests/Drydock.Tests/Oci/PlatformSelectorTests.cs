using Drydock.Oci;
using Drydock.Reference;

namespace Drydock.Tests.Oci;

public sealed class PlatformSelectorTests
{
    private static readonly ImageIndex Index = new()
    {
        MediaType = MediaTypes.OciIndex,
        Manifests =
        [
            Entry(1, "linux", "amd64"),
            Entry(2, "linux", "arm64", "v8"),
            Entry(3, "linux", "arm", "v6"),
            Entry(4, "linux", "arm", "v7"),
            Entry(5, "windows", "amd64"),
            Entry(6, "unknown", "unknown"),
            Entry(7, "linux", "s390x") with { MediaType = MediaTypes.OciIndex },
        ],
    };

    [Theory]
    [InlineData("linux/amd64", 1)]
    [InlineData("linux/arm64", 2)]
    [InlineData("linux/arm64/v8", 2)]
    [InlineData("linux/arm/v7", 4)]
    [InlineData("linux/arm/v6", 3)]
    [InlineData("linux/arm/v8", 4)]
    [InlineData("windows/amd64", 5)]
    public void Picks_the_best_entry(string platform, int expected) =>
        Assert.Equal(Digest(expected), PlatformSelector.Select(Index, Platform.Parse(platform))?.Digest);

    [Theory]
    [InlineData("linux/riscv64")]
    [InlineData("linux/arm/v5")]
    [InlineData("linux/s390x")]
    public void Returns_null_when_nothing_runs(string platform) => Assert.Null(PlatformSelector.Select(Index, Platform.Parse(platform)));

    [Fact]
    public void Prefers_an_entry_without_variant_for_a_platform_without_one()
    {
        var index = new ImageIndex { Manifests = [Entry(1, "linux", "amd64", "v3"), Entry(2, "linux", "amd64")] };

        Assert.Equal(Digest(2), PlatformSelector.Select(index, Platform.Parse("linux/amd64"))?.Digest);
    }

    [Fact]
    public void Lists_the_platforms_offered() =>
        Assert.Equal(["linux/amd64", "linux/arm64", "linux/arm/v6", "linux/arm/v7", "windows/amd64", "linux/s390x"], PlatformSelector.PlatformsOf(Index));

    private static Descriptor Entry(int n, string os, string architecture, string? variant = null) => new()
    {
        MediaType = MediaTypes.OciManifest,
        Digest = Digest(n),
        Size = 100,
        Platform = new PlatformSpec { Os = os, Architecture = architecture, Variant = variant },
    };

    private static Digest Digest(int n) => global::Drydock.Oci.Digest.Sha256([(byte)n]);
}

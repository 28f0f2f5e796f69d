using Drydock.Reference;

namespace Drydock.Tests.Reference;

public sealed class PlatformTests
{
    [Theory]
    [InlineData("linux/amd64", "linux", "amd64", null, "linux/amd64")]
    [InlineData("linux/x86_64", "linux", "amd64", null, "linux/amd64")]
    [InlineData("linux/arm64", "linux", "arm64", null, "linux/arm64")]
    [InlineData("linux/arm64/v8", "linux", "arm64", null, "linux/arm64")]
    [InlineData("linux/aarch64", "linux", "arm64", null, "linux/arm64")]
    [InlineData("linux/arm", "linux", "arm", "v7", "linux/arm/v7")]
    [InlineData("linux/arm/v6", "linux", "arm", "v6", "linux/arm/v6")]
    [InlineData("linux/arm/7", "linux", "arm", "v7", "linux/arm/v7")]
    [InlineData("linux/armhf", "linux", "arm", "v7", "linux/arm/v7")]
    [InlineData("linux/i386", "linux", "386", null, "linux/386")]
    [InlineData("linux/ppc64le", "linux", "ppc64le", null, "linux/ppc64le")]
    [InlineData("Linux/S390X", "linux", "s390x", null, "linux/s390x")]
    [InlineData("linux/riscv64", "linux", "riscv64", null, "linux/riscv64")]
    [InlineData("linux/amd64/v3", "linux", "amd64", "v3", "linux/amd64/v3")]
    [InlineData("windows/amd64", "windows", "amd64", null, "windows/amd64")]
    public void Parses_and_normalises(string text, string os, string architecture, string? variant, string printed)
    {
        var platform = Platform.Parse(text);

        Assert.Equal(os, platform.Os);
        Assert.Equal(architecture, platform.Architecture);
        Assert.Equal(variant, platform.Variant);
        Assert.Equal(printed, platform.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("linux")]
    [InlineData("linux/")]
    [InlineData("/amd64")]
    [InlineData("linux/arm/v7/extra")]
    [InlineData("linux/am d64")]
    public void Rejects_malformed_platforms(string text)
    {
        var error = Assert.Throws<FormatException>(() => Platform.Parse(text));

        Assert.Contains("os/arch", error.Message);
    }

    [Fact]
    public void Host_is_linux_on_a_go_architecture_name()
    {
        Assert.Equal("linux", Platform.Host.Os);
        Assert.Contains(Platform.Host.Architecture, new[] { "amd64", "arm64", "arm", "386", "ppc64le", "s390x", "riscv64", "loong64" });
    }

    [Theory]
    [InlineData("linux/arm64", "linux", "arm64", "v8", true)]
    [InlineData("linux/arm64", "linux", "aarch64", null, true)]
    [InlineData("linux/arm/v7", "linux", "arm", null, true)]
    [InlineData("linux/arm/v7", "linux", "arm", "v6", false)]
    [InlineData("linux/amd64", "linux", "arm64", null, false)]
    [InlineData("linux/amd64", "windows", "amd64", null, false)]
    [InlineData("linux/amd64", "", "amd64", null, false)]
    public void Matches_equivalent_spellings(string platform, string os, string architecture, string? variant, bool matches) =>
        Assert.Equal(matches, Platform.Parse(platform).Matches(os, architecture, variant));

    [Fact]
    public void Equal_platforms_compare_equal() => Assert.Equal(Platform.Parse("linux/aarch64"), Platform.Parse("linux/arm64/v8"));
}

using Drydock.Cli;
using Drydock.Reference;

namespace Drydock.Tests.Cli;

public sealed class PlatformListTests
{
    [Fact]
    public void No_value_means_the_host_platform() =>
        Assert.Equal([Platform.Host], PlatformList.Parse([]));

    [Fact]
    public void A_comma_separated_list_and_repeated_flags_add_up_in_order()
    {
        var platforms = PlatformList.Parse(["linux/amd64, linux/arm64", "linux/arm/v7"]);
        Assert.Equal(["linux/amd64", "linux/arm64", "linux/arm/v7"], platforms.Select(p => p.ToString()));
    }

    [Theory]
    [InlineData("linux/arm64,linux/aarch64")]
    [InlineData("linux/arm64/v8,linux/arm64")]
    [InlineData("LINUX/ARM64,linux/arm64")]
    public void Aliases_of_one_platform_collapse_into_one(string value) =>
        Assert.Equal([Platform.Create("linux", "arm64")], PlatformList.Parse([value]));

    [Fact]
    public void Duplicates_across_flags_collapse_too() =>
        Assert.Equal(["linux/amd64", "linux/arm64"], PlatformList.Parse(["linux/amd64,linux/arm64", "linux/x86_64"]).Select(p => p.ToString()));

    [Theory]
    [InlineData("linux/amd64,linux", "invalid --custom-platform 'linux':")]
    [InlineData("linux/amd64/v2/extra", "invalid --custom-platform 'linux/amd64/v2/extra':")]
    [InlineData("linux/amd64,,linux/arm64", "invalid --custom-platform 'linux/amd64,,linux/arm64': an empty platform in the list")]
    [InlineData("", "an empty platform in the list")]
    public void Each_platform_is_validated_with_a_message_naming_it(string value, string expected)
    {
        var e = Assert.Throws<FormatException>(() => PlatformList.Parse(["linux/s390x", value]));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}

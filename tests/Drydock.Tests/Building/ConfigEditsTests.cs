using Drydock.Building;

namespace Drydock.Tests.Building;

public sealed class ConfigEditsTests
{
    [Fact]
    public void SetEnv_replaces_in_place_and_appends_new_names()
    {
        var env = ConfigEdits.SetEnv(["PATH=/bin", "A=1"], [new("A", "2"), new("B", "x=y")]);
        Assert.Equal(["PATH=/bin", "A=2", "B=x=y"], env);
    }

    [Theory]
    [InlineData(null, "/app", "/app")]
    [InlineData("/app", "src", "/app/src")]
    [InlineData("/app", "../etc/./x/", "/etc/x")]
    [InlineData("/", "..", "/")]
    [InlineData("", "rel", "/rel")]
    public void Working_dir_is_relative_to_the_previous_one(string? current, string requested, string expected)
    {
        Assert.Equal(expected, ConfigEdits.ResolveWorkingDir(current, requested));
    }

    [Fact]
    public void Exposed_ports_default_to_tcp_and_ranges_expand()
    {
        var ports = ConfigEdits.AddExposedPorts(null, ["80", "53/UDP", "8000-8002/tcp"]);
        Assert.Equal(["53/udp", "80/tcp", "8000/tcp", "8001/tcp", "8002/tcp"], ports.Keys);
    }

    [Theory]
    [InlineData("http")]
    [InlineData("80/icmp")]
    [InlineData("0")]
    [InlineData("90-80")]
    public void Bad_ports_are_rejected(string spec)
    {
        Assert.Throws<FormatException>(() => ConfigEdits.AddExposedPorts(null, [spec]));
    }

    [Fact]
    public void Labels_merge_with_later_values_winning()
    {
        var labels = ConfigEdits.SetLabels(new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" }, [new("b", "3"), new("c", "4")]);
        Assert.Equal(new Dictionary<string, string> { ["a"] = "1", ["b"] = "3", ["c"] = "4" }, labels);
    }
}

using System.CommandLine;
using Drydock.Cli;
using Drydock.Reference;

namespace Drydock.Tests.Cli;

/// <summary>kaniko's warmer command lines parse unchanged under `drydock warm`.</summary>
public sealed class WarmFlagsTests
{
    [Fact]
    public void Kanikos_warmer_flags_and_short_forms_parse()
    {
        var (flags, result) = Parse([
            "-i", "busybox:1.36", "--image", "registry.example/app@sha256:" + new string('a', 64), "-d", "Dockerfile.ci", "--build-arg", "BASE=alpine",
            "-c", "/tmp/warm", "--cache-ttl", "6h", "-f", "--customPlatform", "linux/arm64", "--insecure-pull", "--registry-mirror", "mirror.example"]);

        Assert.Empty(result.Errors);
        Assert.Equal(["docker.io/library/busybox:1.36", "registry.example/app@sha256:" + new string('a', 64)], flags.Images(result).Select(i => i.ToString()));
        Assert.Equal("Dockerfile.ci", flags.Dockerfile(result));
        Assert.Equal([new KeyValuePair<string, string?>("BASE", "alpine")], flags.BuildArgs(result));
        Assert.Equal("/tmp/warm", flags.CacheDirectory(result));
        Assert.Equal(TimeSpan.FromHours(6), flags.Ttl(result));
        Assert.True(flags.Force(result));
        Assert.Equal([Platform.Parse("linux/arm64")], flags.Platforms(result));
        Assert.True(flags.Registry(result).InsecurePull);
    }

    [Fact]
    public void The_defaults_are_kanikos_cache_directory_two_weeks_and_this_machine()
    {
        var (flags, result) = Parse(["--image", "busybox"]);

        Assert.Empty(result.Errors);
        Assert.Equal("/cache", flags.CacheDirectory(result));
        Assert.Equal(TimeSpan.FromDays(14), flags.Ttl(result));
        Assert.False(flags.Force(result));
        Assert.Equal([Platform.Host], flags.Platforms(result));
    }

    [Theory]
    [InlineData(new string[0], "Nothing to warm")]
    [InlineData(new[] { "--image", "Busybox" }, "--image: 'Busybox' is not a valid image reference")]
    [InlineData(new[] { "--image", "busybox", "--cache-ttl", "soon" }, "--cache-ttl: 'soon' is not a positive duration")]
    [InlineData(new[] { "--image", "busybox", "--platform", "linux" }, "invalid --custom-platform 'linux'")]
    public void A_bad_command_line_is_one_clear_error(string[] arguments, string error)
    {
        var (_, result) = Parse(arguments);

        Assert.StartsWith(error, Assert.Single(result.Errors).Message, StringComparison.Ordinal);
    }

    private static (WarmFlags Flags, ParseResult Result) Parse(string[] arguments)
    {
        var flags = new WarmFlags(_ => null);
        var command = new Command("warm");
        flags.AddTo(command);
        return (flags, command.Parse(RepeatedFlags.KeepLast(command, arguments)));
    }
}

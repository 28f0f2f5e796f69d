using Drydock.Dockerfile;

namespace Drydock.Tests.Dockerfile;

public sealed class FromTests
{
    private static FromInstruction From(string line) => Df.Parse(line + "\n").Stages.Single().From;

    [Fact]
    public void Plain_image()
    {
        var from = From("FROM alpine:3.20");

        Assert.Equal(("alpine:3.20", (string?)null, (string?)null), (from.Image, from.StageName, from.Platform));
        Assert.Equal("FROM alpine:3.20", from.Original);
    }

    [Theory]
    [InlineData("FROM golang:1.23 AS build")]
    [InlineData("FROM golang:1.23 as build")]
    [InlineData("FROM golang:1.23 As BUILD")]
    public void As_is_case_insensitive_and_the_name_is_lower_cased(string line)
    {
        var from = From(line);

        Assert.Equal(("golang:1.23", "build"), (from.Image, from.StageName));
    }

    [Fact]
    public void Platform_flag_is_kept_raw()
    {
        var from = From("FROM --platform=$BUILDPLATFORM golang AS build");

        Assert.Equal("$BUILDPLATFORM", from.Platform);
    }

    [Theory]
    [InlineData("FROM a AS 1st", "invalid name for build stage: \"1st\", name can't start with a number or contain symbols")]
    [InlineData("FROM a AS my$stage", "invalid name for build stage: \"my$stage\", name can't start with a number or contain symbols")]
    [InlineData("FROM a b", "FROM requires either one or three arguments")]
    [InlineData("FROM a AS", "FROM requires either one or three arguments")]
    [InlineData("FROM a IS b", "FROM requires either one or three arguments")]
    [InlineData("FROM", "FROM requires either one or three arguments")]
    [InlineData("FROM --plaform=linux/amd64 a", "unknown flag: --plaform")]
    public void Bad_from_lines_are_errors(string line, string reason)
    {
        var e = Df.Error(line + "\n");

        Assert.Equal(reason, e.Reason);
        Assert.Equal(1, e.Line);
    }

    [Fact]
    public void Stage_name_may_use_digits_dashes_underscores_and_dots()
    {
        Assert.Equal("a-b_c.1", From("FROM x AS a-b_c.1").StageName);
    }

    [Fact]
    public void Expansion_covers_image_and_platform_but_not_the_name()
    {
        var from = From("FROM --platform=${OS}/${ARCH} ${REGISTRY:-docker.io}/app:$TAG AS name");

        var expanded = from.Expand(new VariableExpander('\\', Df.Vars(("OS", "linux"), ("ARCH", "arm64"), ("TAG", "1.0"))));

        Assert.Equal(("docker.io/app:1.0", "linux/arm64", "name"), (expanded.Image, expanded.Platform, expanded.StageName));
    }
}

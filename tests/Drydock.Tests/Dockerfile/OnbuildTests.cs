using Drydock.Dockerfile;

namespace Drydock.Tests.Dockerfile;

public sealed class OnbuildTests
{
    [Fact]
    public void Trigger_is_a_nested_node_with_its_own_flags()
    {
        var node = DockerfileParser.ParseAst("ONBUILD COPY --from=build [\"a\", \"/b\"]").Children[0];

        Assert.Equal("(onbuild (copy [\"--from=build\"] \"a\" \"/b\"))", node.Dump());
        Assert.True(node.Trigger!.IsJson);
    }

    [Fact]
    public void Expression_is_the_line_without_onbuild()
    {
        var onbuild = Df.One<OnbuildInstruction>("  onbuild   RUN --mount=type=cache,target=/c make \\\n  install\n");

        Assert.Equal(("RUN", "RUN --mount=type=cache,target=/c make   install"), (onbuild.Trigger, onbuild.Expression));
    }

    [Fact]
    public void Chaining_is_not_allowed()
    {
        Assert.Equal("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed", Df.ErrorOf("ONBUILD ONBUILD RUN x\n").Reason);
    }

    [Theory]
    [InlineData("ONBUILD FROM alpine", "FROM isn't allowed as an ONBUILD trigger")]
    [InlineData("onbuild from alpine", "FROM isn't allowed as an ONBUILD trigger")]
    [InlineData("ONBUILD maintainer me", "MAINTAINER isn't allowed as an ONBUILD trigger")]
    public void From_and_maintainer_are_not_triggers(string line, string reason)
    {
        Assert.Equal(reason, Df.ErrorOf(line + "\n").Reason);
    }

    [Fact]
    public void Onbuild_own_flags_are_checked()
    {
        Assert.Equal("unknown flag: --x", Df.ErrorOf("ONBUILD --x RUN true\n").Reason);
    }

    [Fact]
    public void Expression_parses_back_into_the_trigger_instruction()
    {
        var onbuild = Df.One<OnbuildInstruction>("ONBUILD COPY --chown=app . /src\n");

        var node = DockerfileParser.ParseAst(onbuild.Expression, "ONBUILD").Children.Single();
        var copy = Assert.IsType<CopyInstruction>(DockerfileParser.ParseInstruction(node, "ONBUILD"));
        Assert.Equal(("app", "/src"), (copy.Chown, copy.Destination));
    }
}

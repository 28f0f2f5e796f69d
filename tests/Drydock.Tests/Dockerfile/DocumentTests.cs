using Drydock.Dockerfile;

namespace Drydock.Tests.Dockerfile;

public sealed class DocumentTests
{
    private const string MultiStage = """
        # syntax=docker/dockerfile:1
        ARG GO_VERSION=1.23 BASE
        ARG TARGETOS

        FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS build
        ARG GO_VERSION
        WORKDIR /src
        COPY go.mod go.sum ./
        RUN go build -o /out/app .

        FROM ${BASE:-gcr.io/distroless/static}
        COPY --from=build /out/app /app
        ENTRYPOINT ["/app"]

        FROM build AS test
        RUN go test ./...
        """;

    [Fact]
    public void Meta_args_and_stages_are_separated()
    {
        var doc = DockerfileParser.Parse(MultiStage, "Dockerfile.multi");

        Assert.Equal("Dockerfile.multi", doc.FileName);
        Assert.Equal(["GO_VERSION", "BASE", "TARGETOS"], doc.MetaArgs.SelectMany(a => a.Args).Select(a => a.Name));
        Assert.Equal(["1.23", null, null], doc.MetaArgs.SelectMany(a => a.Args).Select(a => a.DefaultValue));

        Assert.Equal([0, 1, 2], doc.Stages.Select(s => s.Index));
        Assert.Equal(["build", null, "test"], doc.Stages.Select(s => s.Name));
        Assert.Equal(["golang:${GO_VERSION}", "${BASE:-gcr.io/distroless/static}", "build"], doc.Stages.Select(s => s.From.Image));
        Assert.Equal(
            ["ARG", "WORKDIR", "COPY", "RUN"],
            doc.Stages[0].Instructions.Select(i => i.Keyword));
        Assert.Equal(["COPY", "ENTRYPOINT"], doc.Stages[1].Instructions.Select(i => i.Keyword));
        Assert.Equal("docker/dockerfile:1", doc.Directive("syntax"));
    }

    [Fact]
    public void Instructions_know_their_location_and_original_text()
    {
        var doc = DockerfileParser.Parse(MultiStage, "Dockerfile.multi");

        var copy = Assert.IsType<CopyInstruction>(doc.Stages[1].Instructions[0]);
        Assert.Equal(new SourceLocation("Dockerfile.multi", 12, 12, 1), copy.Location);
        Assert.Equal("COPY --from=build /out/app /app", copy.Original);
        Assert.Equal("Dockerfile.multi:12:1", copy.Location.ToString());
    }

    [Theory]
    [InlineData("build", 0)]
    [InlineData("BUILD", 0)]
    [InlineData("test", 2)]
    [InlineData("1", 1)]
    public void Stages_are_found_by_name_or_index(string key, int index)
    {
        Assert.Equal(index, DockerfileParser.Parse(MultiStage).FindStage(key)!.Index);
    }

    [Theory]
    [InlineData("nope")]
    [InlineData("3")]
    [InlineData("-1")]
    public void Missing_stage_is_null(string key)
    {
        Assert.Null(DockerfileParser.Parse(MultiStage).FindStage(key));
    }

    [Fact]
    public void Empty_continuation_lines_are_warned_about()
    {
        var doc = Df.Parse("FROM a\nRUN echo \\\n\n  hi\n");

        var warning = Assert.Single(doc.Warnings);
        Assert.Equal(new ParserWarning("Empty continuation line found in: RUN echo   hi", 4), warning);
    }

    [Fact]
    public void Comment_inside_continuation_is_skipped_without_warning()
    {
        var doc = Df.Parse("FROM a\nRUN echo \\\n  # note\n  hi\n");

        Assert.Empty(doc.Warnings);
        Assert.Equal(new CommandLine.ShellForm("echo   hi"), Assert.IsType<RunInstruction>(doc.Stages[0].Instructions[0]).Command);
    }
}

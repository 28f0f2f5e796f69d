using Drydock.Building;
using Drydock.Dockerfile;
using Drydock.Reference;

namespace Drydock.Tests.Building;

/// <summary>What `drydock warm --dockerfile` warms: the images FROM lines name, as the build would expand them.</summary>
public sealed class DockerfileBaseImagesTests
{
    private static readonly Platform Amd64 = Platform.Parse("linux/amd64");

    [Fact]
    public void Meta_args_and_build_args_choose_the_images_and_stages_scratch_and_repeats_are_skipped()
    {
        var document = DockerfileParser.Parse("""
            ARG BASE=busybox
            ARG TAG=1
            FROM registry.example/${BASE}:${TAG} AS build
            FROM build AS again
            FROM scratch
            FROM --platform=linux/arm64 registry.example/tools AS tools
            FROM registry.example/${BASE}:${TAG}
            FROM later
            FROM busybox AS later
            """);

        var images = DockerfileBaseImages.Of(document, [new("BASE", "alpine"), new("TAG", null)], name => name == "TAG" ? "3" : null, Amd64);

        Assert.Equal(
            [
                (ImageReference.Parse("registry.example/alpine:3"), Amd64),
                (ImageReference.Parse("registry.example/tools"), Platform.Parse("linux/arm64")),
                (ImageReference.Parse("later"), Amd64),
                (ImageReference.Parse("busybox"), Amd64),
            ],
            images);
    }

    [Fact]
    public void A_from_that_expands_to_no_valid_image_names_its_line()
    {
        var document = DockerfileParser.Parse("ARG BASE\nFROM ${BASE}Bad:tag\n", "Dockerfile.ci");

        var error = Assert.Throws<FormatException>(() => DockerfileBaseImages.Of(document, [], _ => null, Amd64));

        Assert.StartsWith("Dockerfile.ci:2", error.Message, StringComparison.Ordinal);
    }
}

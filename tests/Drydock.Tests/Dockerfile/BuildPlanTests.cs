using Drydock.Dockerfile;

namespace Drydock.Tests.Dockerfile;

public sealed class BuildPlanTests
{
    private const string MultiStage = """
        ARG BASE=alpine
        FROM ${BASE} AS deps
        RUN make deps
        FROM deps AS build
        COPY --from=assets /a /a
        FROM busybox AS assets
        RUN make assets
        FROM scratch AS unused
        FROM scratch
        COPY --from=build /out /out
        COPY --from=2 /x /x
        COPY --from=registry.example.com/tools:1 /t /t
        """;

    private static readonly Dictionary<string, string> Meta = new() { ["BASE"] = "alpine" };

    [Fact]
    public void Only_the_stages_the_target_needs_are_built_dependencies_first()
    {
        var plan = BuildPlan.Create(DockerfileParser.Parse(MultiStage), Meta, target: null, skipUnusedStages: true);
        Assert.Equal([0, 2, 1, 4], plan.Stages.Select(s => s.Index));
        Assert.Equal(4, plan.Target.Index);
    }

    [Fact]
    public void Without_skipping_every_stage_up_to_the_target_is_built()
    {
        var plan = BuildPlan.Create(DockerfileParser.Parse(MultiStage), Meta, target: "unused", skipUnusedStages: false);
        Assert.Equal([0, 2, 1, 3], plan.Stages.Select(s => s.Index));
    }

    [Fact]
    public void Target_names_a_stage_case_insensitively()
    {
        var plan = BuildPlan.Create(DockerfileParser.Parse(MultiStage), Meta, target: "BUILD", skipUnusedStages: true);
        Assert.Equal("build", plan.Target.Name);
        Assert.Equal([0, 2, 1], plan.Stages.Select(s => s.Index));
    }

    [Fact]
    public void Unknown_target_is_an_error_listing_the_stages()
    {
        var error = Assert.Throws<DockerfileException>(() => BuildPlan.Create(DockerfileParser.Parse(MultiStage), Meta, "nope", true));
        Assert.Contains("target stage \"nope\" could not be found", error.Message);
        Assert.Contains("deps, build, assets, unused", error.Message);
    }

    [Fact]
    public void A_cycle_between_stages_is_an_error_at_the_copy()
    {
        const string text = """
            FROM scratch AS a
            COPY --from=b /x /x
            FROM scratch AS b
            COPY --from=a /y /y
            """;
        var error = Assert.Throws<DockerfileException>(() => BuildPlan.Create(DockerfileParser.Parse(text), Meta, null, true));
        Assert.StartsWith("Dockerfile:", error.Message);
        Assert.Contains("circular dependency detected on stage", error.Message);
    }

    [Fact]
    public void A_stage_copying_from_itself_is_a_cycle()
    {
        var error = Assert.Throws<DockerfileException>(() => BuildPlan.Create(DockerfileParser.Parse("FROM scratch AS a\nCOPY --from=a /x /x\n"), Meta, null, true));
        Assert.Contains("Dockerfile:2:", error.Message);
    }

    [Fact]
    public void From_a_later_stage_name_means_an_image()
    {
        var document = DockerfileParser.Parse("FROM app\nFROM scratch AS app\n");
        Assert.Null(BuildPlan.StageNamed(document, "app", document.Stages[0], allowIndex: false));
        Assert.Equal(1, BuildPlan.StageNamed(document, "app", document.Stages[0], allowIndex: true)?.Index);
    }
}

namespace Drydock.Tests.Building;

/// <summary>
/// The builder's orchestration, in-process: stage order, --target and skipped stages, config-only
/// steps, layers and history, with a sandbox that only records what RUN asked for.
/// </summary>
public sealed class BuilderTests
{
    private const string ThreeStages = """
        FROM scratch AS base
        RUN make-base
        FROM scratch AS unused
        RUN make-unused
        FROM scratch AS app
        COPY --from=base /ran/ /from-base/
        RUN make-app
        FROM scratch AS last
        RUN make-last
        """;

    [RootFact]
    public async Task Without_a_target_the_last_stage_is_the_image_and_skipping_builds_it_alone()
    {
        using var scenario = new BuildScenario(ThreeStages);
        var image = await scenario.BuildAsync();

        Assert.Equal(["Stage last: FROM scratch"], scenario.BuildLog.Stages);
        Assert.Equal(["make-last"], scenario.Sandbox.Commands);
        Assert.Equal(["RUN /bin/sh -c make-last"], image.History);
    }

    [RootFact]
    public async Task Stages_are_built_in_order_up_to_the_last_one_when_none_is_skipped()
    {
        using var scenario = new BuildScenario(ThreeStages);
        await scenario.BuildAsync(o => o with { SkipUnusedStages = false });

        Assert.Equal(["Stage base: FROM scratch", "Stage unused: FROM scratch", "Stage app: FROM scratch", "Stage last: FROM scratch"], scenario.BuildLog.Stages);
        Assert.Equal(["make-base", "make-unused", "make-app", "make-last"], scenario.Sandbox.Commands);
    }

    [RootFact]
    public async Task The_target_stage_is_the_image_and_stages_it_does_not_need_are_skipped()
    {
        using var scenario = new BuildScenario(ThreeStages);
        var image = await scenario.BuildAsync(o => o with { Target = "app", SkipUnusedStages = true });

        Assert.Equal(["Stage base: FROM scratch", "Stage app: FROM scratch"], scenario.BuildLog.Stages);
        Assert.Equal(["make-base", "make-app"], scenario.Sandbox.Commands);
        Assert.Equal(["COPY --from=base /ran/ /from-base/", "RUN /bin/sh -c make-app"], image.History);
        Assert.Equal(2, image.LayerCount);
    }

    [RootFact]
    public async Task Without_skipping_every_stage_up_to_the_target_is_built()
    {
        using var scenario = new BuildScenario(ThreeStages);
        await scenario.BuildAsync(o => o with { Target = "app", SkipUnusedStages = false });

        Assert.Equal(["Stage base: FROM scratch", "Stage unused: FROM scratch", "Stage app: FROM scratch"], scenario.BuildLog.Stages);
        Assert.Equal(["make-base", "make-unused", "make-app"], scenario.Sandbox.Commands);
    }

    [RootFact]
    public async Task Config_only_steps_add_history_without_layers_and_never_reach_the_sandbox()
    {
        using var scenario = new BuildScenario("FROM scratch\nENV A=1\nLABEL team=build\nUSER 1000\nCMD [\"serve\"]\n");
        var image = await scenario.BuildAsync();

        Assert.Empty(scenario.Sandbox.Requests);
        Assert.Equal(0, image.LayerCount);
        Assert.Equal(["ENV A=1 (empty)", "LABEL team=build (empty)", "USER 1000 (empty)", "CMD [\"serve\"] (empty)"], image.History);
        Assert.Contains("A=1", image.Env);
        Assert.Equal("build", image.Config["config"]!["Labels"]!["team"]!.GetValue<string>());
        Assert.Equal("1000", image.Config["config"]!["User"]!.GetValue<string>());
    }

    [RootFact]
    public async Task Each_file_step_makes_a_layer_and_a_history_entry_in_order()
    {
        using var scenario = new BuildScenario("FROM scratch\nWORKDIR /app\nCOPY hello.txt .\nENV MODE=test\nRUN build --fast\n").File("hello.txt", "hi\n");
        var image = await scenario.BuildAsync();

        Assert.Equal(["WORKDIR /app", "COPY hello.txt .", "ENV MODE=test (empty)", "RUN /bin/sh -c build --fast"], image.History);
        Assert.Equal(3, image.LayerCount);
        Assert.Equal(3, image.Config["rootfs"]!["diff_ids"]!.AsArray().Count);
    }

    [RootFact]
    public async Task Run_gets_the_stage_s_working_directory_environment_and_shell()
    {
        using var scenario = new BuildScenario("FROM scratch\nWORKDIR /src\nENV GREETING=hello\nSHELL [\"/bin/bash\", \"-c\"]\nRUN echo $GREETING\n");
        await scenario.BuildAsync();

        var request = Assert.Single(scenario.Sandbox.Requests);
        Assert.Equal(["/bin/bash", "-c", "echo $GREETING"], request.Argv);
        Assert.Equal("/src", request.WorkingDirectory);
        Assert.Contains("GREETING=hello", request.Environment);
        Assert.Contains(request.Environment, e => e.StartsWith("PATH=", StringComparison.Ordinal));
        Assert.Contains("OUTPUT ran echo $GREETING", scenario.BuildLog.Lines);
    }

    [RootFact]
    public async Task An_arg_name_is_expanded_in_a_stage_and_a_build_arg_sets_the_expanded_name()
    {
        using var scenario = new BuildScenario("ARG ${meta}=m\nFROM scratch\nENV src=file3\nARG ${src}=x other=${src}\nRUN echo $file3\n");
        await scenario.BuildAsync(o => o with { BuildArgs = [new("other", "y")] });

        var request = Assert.Single(scenario.Sandbox.Requests);
        Assert.Contains("file3=x", request.Environment);
        Assert.Contains("other=y", request.Environment);
        Assert.DoesNotContain(request.Environment, e => e.StartsWith("${src}=", StringComparison.Ordinal));
    }

    [RootFact]
    public async Task A_step_that_changes_nothing_records_an_empty_layer()
    {
        using var scenario = new BuildScenario("FROM scratch\nWORKDIR /\n");
        var image = await scenario.BuildAsync();

        Assert.Equal(["WORKDIR / (empty)"], image.History);
        Assert.Equal(0, image.LayerCount);
    }

    [RootFact]
    public async Task Single_snapshot_makes_one_layer_for_the_stage()
    {
        using var scenario = new BuildScenario("FROM scratch\nRUN one\nRUN two\n");
        var image = await scenario.BuildAsync(o => o with { SingleSnapshot = true });

        Assert.Equal(1, image.LayerCount);
        Assert.Equal(["RUN /bin/sh -c one (empty)", "RUN /bin/sh -c two (empty)", "SNAPSHOT (--single-snapshot: every change of the stage)"], image.History);
    }

    [RootFact]
    public async Task A_failing_run_stops_the_build_at_its_line()
    {
        using var scenario = new BuildScenario("FROM scratch\nRUN fail\nRUN never\n") { Sandbox = new RecordingSandbox { ExitCode = 3 } };
        var error = await Assert.ThrowsAsync<Drydock.Building.BuildException>(() => scenario.BuildAsync());

        Assert.Contains("Dockerfile:2", error.Message, StringComparison.Ordinal);
        Assert.Contains("exit code: 3", error.Message, StringComparison.Ordinal);
        Assert.Equal(["fail"], scenario.Sandbox.Commands);
    }

    [RootFact]
    public async Task Labels_given_to_the_build_go_on_the_final_image_over_the_dockerfile_s()
    {
        using var scenario = new BuildScenario("FROM scratch\nLABEL a=dockerfile b=kept\n");
        var image = await scenario.BuildAsync(o => o with { Labels = [new("a", "flag")] });

        Assert.Equal("flag", image.Config["config"]!["Labels"]!["a"]!.GetValue<string>());
        Assert.Equal("kept", image.Config["config"]!["Labels"]!["b"]!.GetValue<string>());
    }
}

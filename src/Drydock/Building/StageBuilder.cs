using Drydock.Building.Steps;
using Drydock.Context.Remote;
using Drydock.Context;
using Drydock.Dockerfile;
using Drydock.Oci;
using Drydock.Reference;
using Drydock.Registry;
using Drydock.Registry.Errors;
using Drydock.Sandbox;

namespace Drydock.Building;

/// <summary>
/// Builds one stage: unpack the base, dispatch each instruction to its handler
/// (<see cref="StepHandlers"/>), turn each filesystem change into a layer.
/// </summary>
internal sealed class StageBuilder(BuildState build)
{
    /// <summary>Builds the stage and records its image and rootfs in the build's build.Stages.</summary>
    public async Task BuildAsync(Stage stage, CancellationToken cancellationToken)
    {
        var from = ExpandFrom(stage);
        var label = stage.Name ?? stage.Index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        build.Log.Info($"Stage {label}: FROM {from.Image}");
        var platform = PlatformOf(from);
        var rootfs = build.Roots.ForStage(stage, label, build.Stages, cancellationToken);
        var baseImage = await LoadBaseAsync(stage, from, platform, rootfs, cancellationToken).ConfigureAwait(false);
        var state = StageState.FromBase(baseImage, build.LayerWrite.Compression);

        // ONBUILD triggers of the base run first, then leave the new image (docker does not inherit them).
        var instructions = Triggers(baseImage.Config, from).Concat(stage.Instructions).ToArray();
        state.UpdateConfig(c => c with { OnBuild = null });

        var snapshotter = build.Snapshots.CreateSnapshotter(build.Work, label);
        await using (snapshotter.ConfigureAwait(false))
        {
            await snapshotter.InitializeAsync(rootfs, cancellationToken).ConfigureAwait(false);
            var layers = new StageLayers(build, stage, state, rootfs, snapshotter);
            for (var step = 0; step < instructions.Length; step++)
            {
                build.Log.Info($"Step {step + 1}/{instructions.Length}: {UrlCredentials.Redact(instructions[step].Original)}");
                await DispatchAsync(instructions[step], new StepContext(build, stage, state, platform, layers.PrepareStepAsync), layers, cancellationToken).ConfigureAwait(false);
            }

            await layers.FinishAsync(cancellationToken).ConfigureAwait(false);
        }

        build.Stages.Add(stage, state.ToImage(build.Clock.Now), rootfs);
    }

    /// <summary>
    /// Expands the instruction's words with the stage's variables, has its handler carry it out,
    /// and records what it did: a layer of what it changed, or an empty-layer history entry.
    /// File-system and lookup errors of the step are put at its Dockerfile line.
    /// </summary>
    private async Task DispatchAsync(Instruction instruction, StepContext step, StageLayers layers, CancellationToken cancellationToken)
    {
        var ready = instruction is ExpandableInstruction expandable
            ? expandable.Expand(new VariableExpander(build.Document.EscapeChar, step.State.Variables()))
            : instruction;
        var handler = StepHandlers.For(ready) ?? throw new BuildException(ready.Location, ready.Keyword, "this instruction is not supported yet");
        var created = build.Clock.Now;
        StepResult result;
        try
        {
            result = await handler.ExecuteAsync(ready, step, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsStepFailure(e))
        {
            throw new BuildException(ready.Location, ready.Keyword, e.Message, e);
        }

        if (result.ChangesFiles)
        {
            await layers.CommitAsync(result.CreatedBy, created, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            step.State.AddEmptyLayerHistory(result.CreatedBy, created);
        }
    }

    /// <summary>
    /// Resolves the image the stage's FROM names for its platform, without pulling layers, so that a
    /// multi-platform build finds a missing base before building anything.
    /// </summary>
    public async Task CheckBaseAsync(Stage stage, CancellationToken cancellationToken)
    {
        var from = ExpandFrom(stage);
        var platform = PlatformOf(from);
        try
        {
            if (PulledImage(stage, from) is { } reference)
            {
                await build.Stages.ResolveBaseAsync(reference, platform, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (IsBaseError(e))
        {
            throw BaseError(from, e);
        }
    }

    private FromInstruction ExpandFrom(Stage stage) => stage.From.Expand(new VariableExpander(build.Document.EscapeChar, build.Arguments.MetaVariables));

    /// <summary>The image a FROM pulls; null for scratch or an earlier stage.</summary>
    private ImageReference? PulledImage(Stage stage, FromInstruction from) =>
        from.Image.Equals("scratch", StringComparison.OrdinalIgnoreCase) || build.Stages.ParentOf(stage, from.Image) is not null
            ? null
            : ImageReference.Parse(from.Image);

    /// <summary>FROM --platform, else the build's target platform.</summary>
    private Platform PlatformOf(FromInstruction from)
    {
        try
        {
            return from.Platform is { } requested ? Platform.Parse(requested) : build.Platform;
        }
        catch (FormatException e)
        {
            throw new BuildException(from.Location, "FROM", $"--platform={from.Platform}: {e.Message}", e);
        }
    }

    private async Task<BaseImage> LoadBaseAsync(Stage stage, FromInstruction from, Platform platform, string rootfs, CancellationToken cancellationToken)
    {
        try
        {
            if (from.Image.Equals("scratch", StringComparison.OrdinalIgnoreCase))
            {
                return BaseImage.Scratch(platform);
            }

            if (build.Stages.ParentOf(stage, from.Image) is { } parent)
            {
                return await BaseImage.FromStageAsync(build.Stages.ImageOf(parent), from.Image, rootfs, build.Roots.Ignored, build.Log, cancellationToken).ConfigureAwait(false);
            }

            return await build.Stages.PullBaseAsync(ImageReference.Parse(from.Image), platform, rootfs, build.Roots.Ignored, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsBaseError(e))
        {
            throw BaseError(from, e);
        }
    }

    private static bool IsBaseError(Exception e) => e is FormatException or ArgumentException or RegistryException or InvalidDataException or HttpRequestException;

    private static BuildException BaseError(FromInstruction from, Exception e) => new(from.Location, "FROM", $"{from.Image}: {e.Message}", e);

    /// <summary>The base image's ONBUILD triggers, parsed as instructions placed at the FROM line.</summary>
    private static IEnumerable<Instruction> Triggers(ImageConfig baseConfig, FromInstruction from)
    {
        foreach (var trigger in baseConfig.Config.OnBuild ?? [])
        {
            var ast = DockerfileParser.ParseAst(trigger, $"{from.Location.FileName}:{from.Location.StartLine} (ONBUILD of {from.Image})");
            foreach (var node in ast.Children)
            {
                yield return DockerfileParser.ParseInstruction(node, from.Location.FileName) with { Location = from.Location };
            }
        }
    }

    private static bool IsStepFailure(Exception e) =>
        e is IOException or UnauthorizedAccessException or BuildContextException or SandboxException or FormatException or RegistryException or HttpRequestException;
}

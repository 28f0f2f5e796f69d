using Drydock.Building.Caching;
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
/// Builds one stage: resolve the base (its files are unpacked when a step first needs them), ask
/// the layer cache about each step, dispatch what must run to its handler
/// (<see cref="StepHandlers"/>), turn each filesystem change into a layer.
/// </summary>
internal sealed class StageBuilder(BuildState build)
{
    /// <summary>Builds the stage and records its image and files in the build's stages.</summary>
    public async Task BuildAsync(Stage stage, CancellationToken cancellationToken)
    {
        var from = ExpandFrom(stage);
        var label = stage.Name ?? stage.Index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        build.Log.Info($"Stage {label}: FROM {from.Image}");
        var platform = PlatformOf(from);
        var rootfs = build.Roots.ForStage(stage, label, build.Stages, cancellationToken);
        var baseImage = await LoadBaseAsync(stage, from, platform, cancellationToken).ConfigureAwait(false);
        var files = new StageFiles(rootfs, build.Roots.Ignored, build.Work.Blobs, build.Log);
        baseImage = baseImage with { Layers = [.. baseImage.Layers.Select(layer => files.Add(layer, from.Image))] };
        var state = StageState.FromBase(baseImage, build.LayerWrite.Compression);

        // ONBUILD triggers of the base run first, then leave the new image (docker does not inherit them).
        var instructions = Triggers(baseImage.Config, from).Concat(stage.Instructions).ToArray();
        state.UpdateConfig(c => c with { OnBuild = null });

        var chain = build.Cache is null ? null : new KeyChain(baseImage.Identity);
        var snapshotter = build.Snapshots.CreateSnapshotter(build.Work, label);
        await using (snapshotter.ConfigureAwait(false))
        {
            var layers = new StageLayers(build, stage, state, files, snapshotter);
            var step = new StepContext(build, stage, state, platform, layers, files);
            for (var index = 0; index < instructions.Length; index++)
            {
                await StepAsync(instructions[index], $"{index + 1}/{instructions.Length}", step, layers, chain, cancellationToken).ConfigureAwait(false);
            }

            await layers.FinishAsync(cancellationToken).ConfigureAwait(false);
        }

        build.Stages.Add(stage, state.ToImage(build.Clock.Now), files);
    }

    /// <summary>
    /// One step: expands the instruction's words with the stage's variables, asks the layer cache,
    /// and on a hit takes the cached layer (unpacked only when a later step needs the files);
    /// otherwise has its handler carry it out and records what it did: a layer of what it changed,
    /// or an empty-layer history entry. File-system and lookup errors of the step are put at its
    /// Dockerfile line.
    /// </summary>
    private async Task StepAsync(Instruction instruction, string counter, StepContext step, StageLayers layers, KeyChain? chain, CancellationToken cancellationToken)
    {
        var ready = instruction is ExpandableInstruction expandable
            ? expandable.Expand(new VariableExpander(build.Document.EscapeChar, step.State.Variables()))
            : instruction;
        var handler = StepHandlers.For(ready) ?? throw new BuildException(ready.Location, ready.Keyword, "this instruction is not supported yet");
        var decision = build.Cache is { } cache && chain is not null
            ? await AtStep(ready, () => cache.DecideAsync(ready, step, chain, cancellationToken)).ConfigureAwait(false)
            : CacheDecision.None;
        build.Log.Info($"Step {counter}: {UrlCredentials.Redact(instruction.Original)}{decision.Suffix}");
        if (decision.Hit is { } hit)
        {
            if (ready is WorkdirInstruction workdir)
            {
                WorkdirStep.SetWorkingDir(workdir, step.State);
            }

            await layers.AddCachedAsync(build.Cache!.LayerOf(hit), hit.CreatedBy, hit.HistoryCreated ?? build.Clock.Now, $"the cached layer of \"{hit.CreatedBy}\"", cancellationToken).ConfigureAwait(false);
            chain!.Advance(decision.Key!.Digest.ToString(), hit: true);
            return;
        }

        if (decision.LookedUp)
        {
            await build.Cache!.ExplainAsync(decision, chain!, cancellationToken).ConfigureAwait(false);
        }
        else if (decision.Note is { } note)
        {
            build.Log.Debug($"not cached: {note}");
        }

        var created = build.Clock.Now;
        var result = await AtStep(ready, () => handler.ExecuteAsync(ready, step, cancellationToken)).ConfigureAwait(false);
        if (!result.ChangesFiles)
        {
            step.State.AddEmptyLayerHistory(result.CreatedBy, created);
            return;
        }

        var (layer, history) = await layers.CommitAsync(result.CreatedBy, created, cancellationToken).ConfigureAwait(false);
        if (decision.Key is { } key)
        {
            if (decision.LookedUp)
            {
                build.Cache!.Store(key, layer, history, step, cancellationToken);
            }

            chain!.Advance(key.Digest.ToString(), hit: false);
        }
        else
        {
            // A step without a key: what follows builds on what it made.
            chain?.AdvanceByResult(ready.Original, layer?.DiffId);
        }
    }

    /// <summary>Runs a part of a step, putting its file-system and lookup errors at the step's line.</summary>
    private static async Task<T> AtStep<T>(Instruction instruction, Func<Task<T>> part)
    {
        try
        {
            return await part().ConfigureAwait(false);
        }
        catch (Exception e) when (IsStepFailure(e))
        {
            throw new BuildException(instruction.Location, instruction.Keyword, e.Message, e);
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

    private async Task<BaseImage> LoadBaseAsync(Stage stage, FromInstruction from, Platform platform, CancellationToken cancellationToken)
    {
        try
        {
            if (from.Image.Equals("scratch", StringComparison.OrdinalIgnoreCase))
            {
                return BaseImage.Scratch(platform);
            }

            if (build.Stages.ParentOf(stage, from.Image) is { } parent)
            {
                return BaseImage.FromStage(build.Stages.ImageOf(parent));
            }

            return await build.Stages.ResolveBaseAsync(ImageReference.Parse(from.Image), platform, cancellationToken).ConfigureAwait(false);
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
        e is IOException or InvalidDataException or UnauthorizedAccessException or BuildContextException or SandboxException or FormatException or RegistryException or HttpRequestException;
}

using Drydock.Build.Mounts;
using Drydock.Context;
using Drydock.Dockerfile;
using Drydock.Layers;
using Drydock.Oci;
using Drydock.Reference;
using Drydock.Registry.Errors;
using Drydock.Sandbox;
using Drydock.Snapshot;

namespace Drydock.Build;

/// <summary>Builds one stage: unpack the base, run each instruction, turn each filesystem change into a layer.</summary>
internal sealed class StageBuilder(
    DockerfileDocument document,
    IBuildContext context,
    ISandbox sandbox,
    WorkDirectory work,
    BuildArguments buildArgs,
    BuildStages stages,
    IBuildLog log,
    RunMountOptions runMounts,
    LayerSettings layers,
    Platform targetPlatform,
    LayerStreaming streaming)
{
    /// <summary>Builds the stage and records its image and rootfs in the build's stages.</summary>
    public async Task BuildAsync(Stage stage, CancellationToken cancellationToken)
    {
        var from = ExpandFrom(stage);
        var label = stage.Name ?? stage.Index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        log.Info($"Stage {label}: FROM {from.Image}");
        var platform = PlatformOf(from);
        var rootfs = work.NewRootfs(label);
        var baseImage = await LoadBaseAsync(stage, from, platform, rootfs, cancellationToken).ConfigureAwait(false);
        var state = StageState.FromBase(baseImage, layers.WriteOptions.Compression);

        // ONBUILD triggers of the base run first, then leave the new image (docker does not inherit them).
        var instructions = Triggers(baseImage.Config, from).Concat(stage.Instructions).ToArray();
        state.UpdateConfig(c => c with { OnBuild = null });

        var snapshotter = layers.CreateSnapshotter(work, label);
        await using (snapshotter.ConfigureAwait(false))
        {
            await snapshotter.InitializeAsync(rootfs, cancellationToken).ConfigureAwait(false);
            await RunInstructionsAsync(stage, instructions, state, rootfs, platform, snapshotter, cancellationToken).ConfigureAwait(false);
        }

        stages.Add(stage, state.ToImage(layers.Now), rootfs);
    }

    /// <summary>
    /// Runs each instruction in the directory the snapshotter prepares for it (the rootfs itself
    /// when walking, an overlay mount over it otherwise), and turns what each changed into a layer
    /// written from the rootfs (or one layer at the end with --single-snapshot).
    /// </summary>
    private async Task RunInstructionsAsync(Stage stage, IReadOnlyList<Instruction> instructions, StageState state, string rootfs, Platform platform, ISnapshotter snapshotter, CancellationToken cancellationToken)
    {
        var mountSources = new RunMountSources(
            context, (from, ct) => stages.RootfsAsync(from, stage, platform, ct), runMounts.Cache, runMounts.Secrets, runMounts.SshAgents, work.Path);
        var run = new RunStep(sandbox, buildArgs, log, document.EscapeChar, mountSources, platform);
        string? stepRoot = null;

        for (var step = 0; step < instructions.Count; step++)
        {
            var instruction = instructions[step];
            log.Info($"Step {step + 1}/{instructions.Count}: {UrlCredentials.Redact(instruction.Original)}");
            var ready = instruction is ExpandableInstruction expandable
                ? expandable.Expand(new VariableExpander(document.EscapeChar, state.Variables()))
                : instruction;
            var created = layers.Now;
            switch (ready)
            {
                case RunInstruction runInstruction:
                    await run.ExecuteAsync(runInstruction, state, await PrepareAsync().ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
                    await CommitAsync(History.RunCreatedBy(RunStep.Argv(runInstruction, state)), created).ConfigureAwait(false);
                    break;
                case CopyInstruction copy:
                    var copyRoot = await PrepareAsync().ConfigureAwait(false);
                    await Place(copy, async () =>
                    {
                        var source = copy.From is null ? context : await stages.CopySourceAsync(copy.From, stage, platform, cancellationToken).ConfigureAwait(false);
                        await CopyStep.ExecuteAsync(copy, source, state, copyRoot, cancellationToken).ConfigureAwait(false);
                    }).ConfigureAwait(false);
                    await CommitAsync(History.CreatedBy(copy), created).ConfigureAwait(false);
                    break;
                case AddInstruction add:
                    var addRoot = await PrepareAsync().ConfigureAwait(false);
                    await Place(add, () => AddStep.ExecuteAsync(add, context, state, addRoot, work, log, runMounts.SshAuthSocket, cancellationToken)).ConfigureAwait(false);
                    await CommitAsync(History.CreatedBy(add), created).ConfigureAwait(false);
                    break;
                case WorkdirInstruction workdir:
                    var directory = ConfigEdits.ResolveWorkingDir(state.Config.Config.WorkingDir, workdir.Path);
                    state.UpdateConfig(c => c with { WorkingDir = directory });
                    var workdirRoot = await PrepareAsync().ConfigureAwait(false);
                    await Place(workdir, () =>
                    {
                        new RootfsWriter(workdirRoot, new CopyOwner(0, 0), mode: null).EnsureDirectory(directory);
                        return Task.CompletedTask;
                    }).ConfigureAwait(false);
                    await CommitAsync(History.CreatedBy(workdir), created).ConfigureAwait(false);
                    break;
                case var config when ConfigStep.Handles(config):
                    ConfigStep.Apply(config, state, buildArgs);
                    state.AddEmptyLayerHistory(History.CreatedBy(config), created);
                    break;
                default:
                    throw new BuildException(ready.Location, ready.Keyword, "this instruction is not supported yet");
            }
        }

        if (layers.SingleSnapshot)
        {
            await WriteLayerAsync("SNAPSHOT (--single-snapshot: every change of the stage)", layers.Now, recordEmpty: false).ConfigureAwait(false);
        }

        async Task<string> PrepareAsync() => stepRoot ??= await snapshotter.PrepareStepAsync(cancellationToken).ConfigureAwait(false);

        async Task CommitAsync(string createdBy, DateTimeOffset created)
        {
            if (layers.SingleSnapshot)
            {
                state.AddEmptyLayerHistory(createdBy, created);
                return;
            }

            await WriteLayerAsync(createdBy, created, recordEmpty: true).ConfigureAwait(false);
        }

        async Task WriteLayerAsync(string createdBy, DateTimeOffset created, bool recordEmpty)
        {
            var diff = await snapshotter.SnapshotAsync(cancellationToken).ConfigureAwait(false);
            stepRoot = null;
            if (diff.IsEmpty)
            {
                if (recordEmpty)
                {
                    state.AddEmptyLayerHistory(createdBy, created);
                }

                return;
            }

            var layer = await streaming.WriteAsync(stage, follow => LayerWriter.WriteToDirectoryAsync(
                rootfs, diff, work.Blobs, layers.LayerMediaType(state.DockerMediaTypes), layers.WriteOptions, follow, cancellationToken)).ConfigureAwait(false);
            log.Debug($"layer {layer.Descriptor.Digest}: {diff.Changed.Count} changed, {diff.Deleted.Count} deleted, {layer.Descriptor.Size} bytes");
            state.AddLayer(layer, createdBy, created);
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
                await stages.ResolveBaseAsync(reference, platform, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (IsBaseError(e))
        {
            throw BaseError(from, e);
        }
    }

    private FromInstruction ExpandFrom(Stage stage) => stage.From.Expand(new VariableExpander(document.EscapeChar, buildArgs.MetaVariables));

    /// <summary>The image a FROM pulls; null for scratch or an earlier stage.</summary>
    private ImageReference? PulledImage(Stage stage, FromInstruction from) =>
        from.Image.Equals("scratch", StringComparison.OrdinalIgnoreCase) || stages.ParentOf(stage, from.Image) is not null
            ? null
            : ImageReference.Parse(from.Image);

    /// <summary>FROM --platform, else the build's target platform.</summary>
    private Platform PlatformOf(FromInstruction from)
    {
        try
        {
            return from.Platform is { } requested ? Platform.Parse(requested) : targetPlatform;
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

            if (stages.ParentOf(stage, from.Image) is { } parent)
            {
                return await BaseImage.FromStageAsync(stages.ImageOf(parent), from.Image, rootfs, log, cancellationToken).ConfigureAwait(false);
            }

            return await stages.PullBaseAsync(ImageReference.Parse(from.Image), platform, rootfs, cancellationToken).ConfigureAwait(false);
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

    /// <summary>Puts file-system and lookup errors of a step at its Dockerfile line.</summary>
    private static async Task Place(Instruction instruction, Func<Task> step)
    {
        try
        {
            await step().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or BuildContextException or SandboxException or FormatException or RegistryException)
        {
            throw new BuildException(instruction.Location, instruction.Keyword, e.Message, e);
        }
    }
}

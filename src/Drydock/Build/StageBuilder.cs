using Drydock.Context;
using Drydock.Dockerfile;
using Drydock.Layers;
using Drydock.Oci;
using Drydock.Reference;
using Drydock.Registry;
using Drydock.Sandbox;
using Drydock.Snapshot;

namespace Drydock.Build;

/// <summary>Builds one stage: unpack the base, run each instruction, turn each filesystem change into a layer.</summary>
internal sealed class StageBuilder(
    DockerfileDocument document,
    IBuildContext context,
    RegistryClients registries,
    ISandbox sandbox,
    WorkDirectory work,
    BuildArguments buildArgs,
    IBuildLog log)
{
    public async Task<Image> BuildAsync(Stage stage, CancellationToken cancellationToken)
    {
        var from = stage.From.Expand(new VariableExpander(document.EscapeChar, buildArgs.MetaVariables));
        var total = stage.Instructions.Count + 1;
        log.Info($"Step 1/{total}: FROM {from.Image}");
        var rootfs = work.NewRootfs(stage.Index.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var baseImage = await LoadBaseAsync(from, rootfs, cancellationToken).ConfigureAwait(false);
        var state = new StageState(baseImage.Config, baseImage.Layers, baseImage.DockerMediaTypes);

        var snapshotter = new WalkingSnapshotter(WalkingSnapshotter.SystemPaths);
        await snapshotter.InitializeAsync(rootfs, cancellationToken).ConfigureAwait(false);
        var layerOptions = LayerWriteOptions.Default with { Warn = log.Warn };
        var run = new RunStep(sandbox, log);
        var copy = new CopyStep(context);

        var step = 1;
        foreach (var instruction in stage.Instructions)
        {
            log.Info($"Step {++step}/{total}: {instruction.Original}");
            var ready = instruction is ExpandableInstruction expandable
                ? expandable.Expand(new VariableExpander(document.EscapeChar, state.Variables()))
                : instruction;
            var created = DateTimeOffset.UtcNow;
            switch (ready)
            {
                case RunInstruction runInstruction:
                    await run.ExecuteAsync(runInstruction, state, rootfs, cancellationToken).ConfigureAwait(false);
                    await CommitAsync(History.RunCreatedBy(RunStep.Argv(runInstruction, state))).ConfigureAwait(false);
                    break;
                case CopyInstruction copyInstruction:
                    await Place(copyInstruction, () => copy.ExecuteAsync(copyInstruction, state, rootfs, cancellationToken)).ConfigureAwait(false);
                    await CommitAsync(History.CreatedBy(copyInstruction)).ConfigureAwait(false);
                    break;
                case WorkdirInstruction workdir:
                    var directory = ConfigEdits.ResolveWorkingDir(state.Config.Config.WorkingDir, workdir.Path);
                    state.UpdateConfig(c => c with { WorkingDir = directory });
                    await Place(workdir, () =>
                    {
                        new RootfsWriter(rootfs, new CopyOwner(0, 0), mode: null).EnsureDirectory(directory);
                        return Task.CompletedTask;
                    }).ConfigureAwait(false);
                    await CommitAsync(History.CreatedBy(workdir)).ConfigureAwait(false);
                    break;
                case var config when ConfigStep.Handles(config):
                    ConfigStep.Apply(config, state, buildArgs);
                    state.AddEmptyLayerHistory(History.CreatedBy(config), created);
                    break;
                default:
                    throw new BuildException(ready.Location, ready.Keyword, "this instruction is not supported yet");
            }

            async Task CommitAsync(string createdBy)
            {
                var diff = await snapshotter.SnapshotAsync(cancellationToken).ConfigureAwait(false);
                if (diff.IsEmpty)
                {
                    state.AddEmptyLayerHistory(createdBy, created);
                    return;
                }

                var mediaType = MediaTypes.LayerType(state.DockerMediaTypes, layerOptions.Compression);
                var layer = await LayerWriter.WriteToDirectoryAsync(rootfs, diff, work.Blobs.Root, mediaType, layerOptions, cancellationToken).ConfigureAwait(false);
                log.Debug($"layer {layer.Descriptor.Digest}: {diff.Changed.Count} changed, {diff.Deleted.Count} deleted, {layer.Descriptor.Size} bytes");
                state.AddLayer(layer, createdBy, created);
            }
        }

        return state.ToImage(DateTimeOffset.UtcNow);
    }

    private async Task<BaseImage> LoadBaseAsync(FromInstruction from, string rootfs, CancellationToken cancellationToken)
    {
        var platform = Platform.Host;
        try
        {
            if (from.Platform is { } requested)
            {
                platform = Platform.Parse(requested);
            }

            if (from.Image.Equals("scratch", StringComparison.OrdinalIgnoreCase))
            {
                return BaseImage.Scratch(platform);
            }

            if (document.FindStage(from.Image) is not null)
            {
                throw new BuildException(from.Location, "FROM", $"building on the stage '{from.Image}' (multi-stage builds) is not supported yet");
            }

            var reference = ImageReference.Parse(from.Image);
            return await BaseImage.PullAsync(registries, reference, platform, rootfs, work.Blobs, log, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or RegistryException or InvalidDataException or HttpRequestException)
        {
            throw new BuildException(from.Location, "FROM", $"{from.Image}: {e.Message}", e);
        }
    }

    /// <summary>Puts file-system and lookup errors of a step at its Dockerfile line.</summary>
    private static async Task Place(Instruction instruction, Func<Task> step)
    {
        try
        {
            await step().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or BuildContextException or SandboxException)
        {
            throw new BuildException(instruction.Location, instruction.Keyword, e.Message, e);
        }
    }
}

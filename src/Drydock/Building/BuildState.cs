using Drydock.Building.Mounts;
using Drydock.Context;
using Drydock.Dockerfile;
using Drydock.Layers;
using Drydock.Reference;
using Drydock.Sandbox;

namespace Drydock.Building;

/// <summary>
/// What every stage and step of one platform's build shares, set up once by <see cref="Builder"/>:
/// the Dockerfile and context, the sandbox RUN uses, the work directory (rootfs and blob store),
/// the log and clock, how layers are found, written and streamed to the outputs, and the stages
/// built so far. Steps read it through their <see cref="Steps.StepContext"/>.
/// </summary>
internal sealed record BuildState
{
    public required DockerfileDocument Document { get; init; }

    public required IBuildContext Context { get; init; }

    public required ISandbox Sandbox { get; init; }

    /// <summary>This platform's work directory: stage root filesystems, scratch files and the blob store.</summary>
    public required WorkDirectory Work { get; init; }

    public required IBuildLog Log { get; init; }

    public required BuildClock Clock { get; init; }

    /// <summary>The build's environment (--build-arg NAME values, secrets from variables).</summary>
    public required Func<string, string?> Environment { get; init; }

    /// <summary>The platform the image is for; FROM --platform may name another for its stage.</summary>
    public required Platform Platform { get; init; }

    public required BuildArguments Arguments { get; init; }

    public required BuiltStages Stages { get; init; }

    public required SnapshotPolicy Snapshots { get; init; }

    public required LayerWriteOptions LayerWrite { get; init; }

    /// <summary>Sends the layers of the pushed image's stages to the outputs while they are written.</summary>
    public required LayerStreaming Streaming { get; init; }

    public required RunMountOptions RunMounts { get; init; }
}

using Drydock.Building.Caching;
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
/// <param name="Document">The parsed Dockerfile.</param>
/// <param name="Context">The build context.</param>
/// <param name="Sandbox">Runs RUN steps.</param>
/// <param name="Work">This platform's work directory: stage root filesystems, scratch files and the blob store.</param>
/// <param name="Log">Where progress goes (marked with the platform when there are several).</param>
/// <param name="Clock">The time stamped on history and configs.</param>
/// <param name="Environment">The build's environment (secrets given as variables).</param>
/// <param name="Platform">The platform the image is for; FROM --platform may name another for its stage.</param>
/// <param name="Arguments">The build arguments and the ARGs before the first FROM.</param>
/// <param name="Stages">The stages built so far, and the images --from names.</param>
/// <param name="Snapshots">How each stage finds its changes.</param>
/// <param name="LayerWrite">How layers are written (compression, reproducibility).</param>
/// <param name="Streaming">Sends the layers of the pushed image's stages to the outputs while they are written.</param>
/// <param name="RunMounts">What RUN --mount takes: caches, secrets, ssh agents.</param>
/// <param name="AllowInsecure">Whether RUN --security=insecure may run unconfined.</param>
/// <param name="Roots">Where each stage's root filesystem lives: a directory of its own, or the in-place root.</param>
/// <param name="Cache">The layer cache, or null when every step runs.</param>
internal sealed record BuildState(
    DockerfileDocument Document,
    IBuildContext Context,
    ISandbox Sandbox,
    WorkDirectory Work,
    IBuildLog Log,
    BuildClock Clock,
    Func<string, string?> Environment,
    Platform Platform,
    BuildArguments Arguments,
    BuiltStages Stages,
    SnapshotPolicy Snapshots,
    LayerWriteOptions LayerWrite,
    LayerStreaming Streaming,
    RunMountOptions RunMounts,
    bool AllowInsecure,
    StageRoots Roots,
    StepCache? Cache);

using Drydock.Context;
using Drydock.Dockerfile;
using Drydock.Reference;

namespace Drydock.Building.Steps;

/// <summary>
/// What one step works on: the build's shared state, the stage and what it has built so far, and
/// the root filesystem the step writes into, made ready on first use (unpacked, then the rootfs
/// itself when walking, an overlay over it otherwise), so config-only steps never wait for it.
/// </summary>
internal sealed class StepContext(BuildState build, Stage stage, StageState state, Platform platform, StageLayers layers, StageFiles files)
{
    public BuildState Build { get; } = build;

    public Stage Stage { get; } = stage;

    public StageState State { get; } = state;

    /// <summary>The stage's platform: FROM --platform, else the build's.</summary>
    public Platform Platform { get; } = platform;

    /// <summary>Whether the stage's files are unpacked and current, so using them costs nothing.</summary>
    public bool FilesReady => layers.FilesReady;

    /// <summary>The directory this step writes the stage's filesystem through.</summary>
    public Task<string> RootfsAsync(CancellationToken cancellationToken) => layers.PrepareStepAsync(cancellationToken);

    /// <summary>A change to make in the files once a later step (or stage) needs them, in place of unpacking them now.</summary>
    public void Defer(Action<string> change) => files.Defer(change);

    /// <summary>What <c>--from=VALUE</c> reads (COPY, RUN --mount): a stage built before or an image's filesystem; null for the build context.</summary>
    public async Task<IFileSource> FilesAsync(string? from, CancellationToken cancellationToken) =>
        from is null ? Build.Context : await Build.Stages.CopySourceAsync(from, Stage, Platform, cancellationToken).ConfigureAwait(false);
}

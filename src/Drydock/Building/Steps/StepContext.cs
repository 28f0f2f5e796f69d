using Drydock.Context;
using Drydock.Dockerfile;
using Drydock.Reference;

namespace Drydock.Building.Steps;

/// <summary>
/// What one step works on: the build's shared state, the stage and what it has built so far, and
/// the root filesystem the step writes into, prepared on first use (the rootfs itself when
/// walking, an overlay over it otherwise), so config-only steps never prepare one.
/// </summary>
internal sealed class StepContext(BuildState build, Stage stage, StageState state, Platform platform, Func<CancellationToken, Task<string>> prepareRootfs)
{
    public BuildState Build { get; } = build;

    public Stage Stage { get; } = stage;

    public StageState State { get; } = state;

    /// <summary>The stage's platform: FROM --platform, else the build's.</summary>
    public Platform Platform { get; } = platform;

    /// <summary>The directory this step writes the stage's filesystem through.</summary>
    public Task<string> RootfsAsync(CancellationToken cancellationToken) => prepareRootfs(cancellationToken);

    /// <summary>What <c>--from=VALUE</c> reads (COPY, RUN --mount): a stage built before or an image's filesystem; null for the build context.</summary>
    public async Task<IFileSource> FilesAsync(string? from, CancellationToken cancellationToken) =>
        from is null ? Build.Context : await Build.Stages.CopySourceAsync(from, Stage, Platform, cancellationToken).ConfigureAwait(false);
}

using Drydock.Building.Copy;
using Drydock.Context;
using Drydock.Context.Remote;
using Drydock.Dockerfile;

namespace Drydock.Building.Steps;

/// <summary>
/// COPY and ADD, one handler: both write through a <see cref="CopyTarget"/> (owner, mode,
/// exclusions, destination). COPY copies from the build context, or <c>--from</c> a stage or an
/// image, with BuildKit's rules; ADD also unpacks archives and fetches URLs and git repositories
/// (<see cref="AddStep"/>).
/// </summary>
/// <remarks>
/// <c>--link</c> is accepted and changes nothing: BuildKit then copies onto an empty layer so it
/// can later rebase that layer onto a changed base without redoing the step. We never rebase
/// layers, and the step's layer is the diff of the files it wrote either way, so the image is the
/// same with or without it.
/// </remarks>
internal sealed class CopyStep : IStep
{
    public async Task<StepResult> ExecuteAsync(Instruction instruction, StepContext step, CancellationToken cancellationToken)
    {
        var rootfs = await step.RootfsAsync(cancellationToken).ConfigureAwait(false);
        switch (instruction)
        {
            case CopyInstruction copy:
                await CopyAsync(copy, await step.FilesAsync(copy.From, cancellationToken).ConfigureAwait(false), step.State, rootfs, cancellationToken).ConfigureAwait(false);
                break;
            case AddInstruction add:
                var build = step.Build;
                await AddStep.AddAsync(add, build.Context, step.State, rootfs, build.Work, build.Log, build.RunMounts.SshAuthSocket, cancellationToken).ConfigureAwait(false);
                break;
            default:
                throw new ArgumentException($"{instruction.Keyword} is neither COPY nor ADD", nameof(instruction));
        }

        return StepResult.FileChange(History.CreatedBy(instruction));
    }

    /// <param name="copy">The instruction, expanded.</param>
    /// <param name="source">The build context, or the filesystem <c>--from</c> names.</param>
    /// <param name="state">The stage so far (for WORKDIR).</param>
    /// <param name="rootfs">The stage's root filesystem.</param>
    /// <param name="cancellationToken">Stops the copy between files.</param>
    public static async Task CopyAsync(CopyInstruction copy, IFileSource source, StageState state, string rootfs, CancellationToken cancellationToken)
    {
        RequireLocalSources(copy);
        var target = CopyTarget.Create(
            copy, rootfs, copy.Destination, copy.Chown, copy.Chmod, copy.Excludes, state.Config.Config.WorkingDir, KeepsSourceOwners(copy));
        var files = target.FilesFrom(source);
        var sources = CopyFiles.ResolveAll(source, copy.Sources, copy.Parents, hasOtherSources: copy.InlineSources.Count > 0).SelectMany(s => s);
        foreach (var local in sources)
        {
            files.Copy(local, target.Destination, cancellationToken);
        }

        await files.WriteInlineAsync(copy.InlineSources, target.Destination, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whether copied files keep their owners: COPY --from without --chown (see <see cref="RootfsWriter.KeepSourceOwners"/>).</summary>
    public static bool KeepsSourceOwners(CopyInstruction copy) => copy.From is not null && string.IsNullOrEmpty(copy.Chown);

    /// <summary>Refuses a URL or git source, which only ADD fetches.</summary>
    /// <exception cref="BuildException">A source is a URL or a git repository.</exception>
    public static void RequireLocalSources(CopyInstruction copy)
    {
        foreach (var text in copy.Sources)
        {
            if (AddSources.Classify(text) != AddSourceKind.Local)
            {
                throw new BuildException(copy.Location, copy.Keyword, $"source can't be a URL or git repository for COPY: {AddSources.Display(text)}; use ADD to fetch it");
            }
        }
    }
}

using Drydock.Building.Copy;
using Drydock.Context.Remote;
using Drydock.Context;
using Drydock.Dockerfile;

namespace Drydock.Building.Steps;

/// <summary>COPY from the build context (or <c>--from</c> a stage or image) into the stage's root filesystem, with BuildKit's rules.</summary>
/// <remarks>
/// <c>--link</c> is accepted and changes nothing: BuildKit then copies onto an empty layer so it
/// can later rebase that layer onto a changed base without redoing the step. We never rebase
/// layers, and the step's layer is the diff of the files it wrote either way, so the image is the
/// same with or without it.
/// </remarks>
internal static class CopyStep
{
    /// <param name="copy">The instruction, expanded.</param>
    /// <param name="source">The build context, or the filesystem <c>--from</c> names.</param>
    /// <param name="state">The stage so far (for WORKDIR).</param>
    /// <param name="rootfs">The stage's root filesystem.</param>
    /// <param name="cancellationToken">Stops the copy between files.</param>
    public static async Task ExecuteAsync(CopyInstruction copy, IFileSource source, StageState state, string rootfs, CancellationToken cancellationToken)
    {
        foreach (var text in copy.Sources)
        {
            if (AddSources.Classify(text) != AddSourceKind.Local)
            {
                throw new BuildException(copy.Location, copy.Keyword, $"source can't be a URL or git repository for COPY: {AddSources.Display(text)}; use ADD to fetch it");
            }
        }

        var chmod = ParseChmod(copy, copy.Chmod);
        var writer = new RootfsWriter(rootfs, CopyOwner.Resolve(rootfs, copy.Chown), chmod)
        {
            KeepSourceOwners = copy.From is not null && string.IsNullOrEmpty(copy.Chown),
        };
        var files = new CopyFiles(copy, source, writer, CopyFiles.Excludes(copy.Excludes));
        var destination = CopyDestination.Resolve(copy.Destination, state.Config.Config.WorkingDir);
        var sources = copy.Sources.SelectMany(text => CopyFiles.Resolve(source, text, copy.Parents)).ToList();
        foreach (var local in sources)
        {
            files.Copy(local, destination, cancellationToken);
        }

        await files.WriteInlineAsync(copy.InlineSources, destination, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Parses <c>--chmod</c> (null when absent or empty, as BuildKit ignores an empty value).</summary>
    /// <exception cref="BuildException">The value is neither an octal nor a symbolic mode.</exception>
    public static ChmodSpec? ParseChmod(Instruction instruction, string? chmod)
    {
        if (string.IsNullOrEmpty(chmod))
        {
            return null;
        }

        return ChmodSpec.TryParse(chmod, out var spec, out var error)
            ? spec
            : throw new BuildException(instruction.Location, instruction.Keyword, $"invalid --chmod={chmod}: {error}; {ChmodSpec.Expected}");
    }
}

using Drydock.Context;
using Drydock.Dockerfile;

namespace Drydock.Building.Copy;

/// <summary>
/// Where one COPY or ADD writes and how, the part both instructions share: the owner and mode
/// (<c>--chown</c>, <c>--chmod</c>) its files get, what <c>--exclude</c> leaves out, and the
/// destination resolved against WORKDIR. Whatever the source (context, stage, image, download,
/// git checkout), files reach the stage's filesystem through it.
/// </summary>
/// <param name="Instruction">The COPY or ADD, for messages.</param>
/// <param name="Writer">Writes into the stage's filesystem with the instruction's owner and mode.</param>
/// <param name="Excludes">What <c>--exclude</c> leaves out; null when nothing is.</param>
/// <param name="Destination">Where the files go, resolved against WORKDIR.</param>
internal sealed record CopyTarget(Instruction Instruction, RootfsWriter Writer, DockerIgnore? Excludes, CopyDestination Destination)
{
    /// <param name="instruction">The COPY or ADD, for messages.</param>
    /// <param name="rootfs">The stage's root filesystem.</param>
    /// <param name="destination">The destination as written.</param>
    /// <param name="chown">--chown, or null.</param>
    /// <param name="chmod">--chmod, or null.</param>
    /// <param name="excludes">--exclude patterns.</param>
    /// <param name="workingDir">The stage's WORKDIR, which a relative destination is taken from.</param>
    /// <param name="keepSourceOwners">Whether files keep their owners (COPY --from without --chown).</param>
    /// <exception cref="BuildException">--chmod is neither an octal nor a symbolic mode.</exception>
    public static CopyTarget Create(
        Instruction instruction, string rootfs, string destination, string? chown, string? chmod, IReadOnlyList<string> excludes, string? workingDir, bool keepSourceOwners)
    {
        var mode = ParseChmod(instruction, chmod);
        var writer = new RootfsWriter(rootfs, CopyOwner.Resolve(rootfs, chown), mode) { KeepSourceOwners = keepSourceOwners };
        return new CopyTarget(instruction, writer, CopyFiles.Excludes(excludes), CopyDestination.Resolve(destination, workingDir));
    }

    /// <summary>A copier of files from <paramref name="source"/> into this target.</summary>
    public CopyFiles FilesFrom(IFileSource source) => new(Instruction, source, Writer, Excludes);

    /// <summary>Parses <c>--chmod</c> (null when absent or empty, as BuildKit ignores an empty value).</summary>
    /// <exception cref="BuildException">The value is neither an octal nor a symbolic mode.</exception>
    private static ChmodSpec? ParseChmod(Instruction instruction, string? chmod)
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

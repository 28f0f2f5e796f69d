using System.Globalization;
using Drydock.Context;
using Drydock.Dockerfile;

namespace Drydock.Build;

/// <summary>COPY from the build context into the stage's root filesystem, with docker's destination rules.</summary>
internal static class CopyStep
{
    /// <param name="source">The build context, or the filesystem <c>--from</c> names.</param>
    public static Task ExecuteAsync(CopyInstruction copy, IFileSource source, StageState state, string rootfs, CancellationToken cancellationToken)
    {
        Reject(copy.Parents, copy, "--parents is not supported yet");
        Reject(copy.Excludes.Count > 0, copy, "--exclude is not supported yet");

        var writer = new RootfsWriter(rootfs, CopyOwner.Resolve(rootfs, copy.Chown), ParseChmod(copy));
        var destination = copy.Destination.StartsWith('/')
            ? copy.Destination
            : (state.Config.Config.WorkingDir ?? "/").TrimEnd('/') + "/" + copy.Destination;
        var destinationIsDirectory = copy.Destination.EndsWith('/') || copy.Destination is "." or ".." || copy.Destination.EndsWith("/.", StringComparison.Ordinal);
        destination = ConfigEdits.CleanAbsolute(destination);

        var sources = copy.Sources.SelectMany(source.ResolveSources).ToList();
        var multiple = sources.Count + copy.InlineSources.Count > 1 || copy.Sources.Any(ContainsWildcard);
        if (multiple && !destinationIsDirectory && !writer.IsDirectory(destination))
        {
            throw new BuildException(copy.Location, "COPY", "when copying more than one source file, the destination must be a directory and end with a /");
        }

        var intoDirectory = destinationIsDirectory || multiple || writer.IsDirectory(destination);
        foreach (var entry in sources)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (entry.Type == ContextEntryType.Directory)
            {
                CopyTree(writer, source, entry, destination, cancellationToken);
                continue;
            }

            var target = intoDirectory ? Join(destination, Path.GetFileName(entry.Path)) : destination;
            if (entry.Type == ContextEntryType.Symlink)
            {
                writer.CopySymlink(entry.LinkTarget!, target);
            }
            else
            {
                writer.CopyFile(entry.FullPath, target);
            }
        }

        var now = DateTime.UtcNow;
        foreach (var inline in copy.InlineSources)
        {
            writer.WriteFile(intoDirectory ? Join(destination, inline.Path) : destination, inline.Data, now);
        }

        return Task.CompletedTask;
    }

    /// <summary>Copies a directory's content (not the directory itself) to the destination, as docker does.</summary>
    private static void CopyTree(RootfsWriter writer, IFileSource source, ContextEntry directory, string destination, CancellationToken cancellationToken)
    {
        var stamps = new List<(string Host, string Source)> { (writer.CopyDirectory(directory.FullPath, destination), directory.FullPath) };
        foreach (var entry in source.EnumerateDirectory(directory, cancellationToken))
        {
            var target = Join(destination, entry.Path);
            switch (entry.Type)
            {
                case ContextEntryType.Directory:
                    stamps.Add((writer.CopyDirectory(entry.FullPath, target), entry.FullPath));
                    break;
                case ContextEntryType.Symlink:
                    writer.CopySymlink(entry.LinkTarget!, target);
                    break;
                default:
                    writer.CopyFile(entry.FullPath, target);
                    break;
            }
        }

        // Deepest first: stamping a directory must come after everything written inside it.
        foreach (var (host, original) in Enumerable.Reverse(stamps))
        {
            RootfsWriter.StampDirectory(host, original);
        }
    }

    private static UnixFileMode? ParseChmod(CopyInstruction copy)
    {
        if (copy.Chmod is null)
        {
            return null;
        }

        if (!int.TryParse(copy.Chmod, NumberStyles.None, CultureInfo.InvariantCulture, out _)
            || copy.Chmod.Any(c => c > '7')
            || Convert.ToInt32(copy.Chmod, 8) > 0b111_111_111_111)
        {
            throw new BuildException(copy.Location, "COPY", $"invalid --chmod={copy.Chmod}: expected an octal mode such as 0755 (symbolic modes are not supported yet)");
        }

        return (UnixFileMode)Convert.ToInt32(copy.Chmod, 8);
    }

    private static bool ContainsWildcard(string source) => source.IndexOfAny(['*', '?', '[']) >= 0;

    private static string Join(string directory, string relative) =>
        ConfigEdits.CleanAbsolute(directory + "/" + relative);

    private static void Reject(bool condition, CopyInstruction copy, string message)
    {
        if (condition)
        {
            throw new BuildException(copy.Location, "COPY", message);
        }
    }
}

using Drydock.Context;
using Drydock.Native;

namespace Drydock.Building.Copy;

/// <summary>
/// Copies one entry of a file source (a directory with everything the source lets through below
/// it, a file or a symlink) to a new host path, through the same <see cref="RootfsWriter"/> as
/// COPY: modes, owners, times and extended attributes are kept, and files hardlinked to each other
/// stay so. Used where a RUN mount cannot show the source itself: a build context with
/// .dockerignore rules, or the seed of a new cache directory.
/// </summary>
internal static class TreeCopy
{
    /// <param name="source">What the entry belongs to.</param>
    /// <param name="entry">The entry to copy.</param>
    /// <param name="destination">The host path of the copy: for a directory, an existing one is given the entry's metadata.</param>
    /// <param name="cancellationToken">Stops the copy between entries.</param>
    public static void Copy(IFileSource source, ContextEntry entry, string destination, CancellationToken cancellationToken)
    {
        if (entry.Type != ContextEntryType.Directory)
        {
            var parent = Path.GetDirectoryName(destination)!;
            CopyEntry(WriterAt(parent), entry, "/" + Path.GetFileName(destination));
            return;
        }

        Directory.CreateDirectory(destination);
        var writer = WriterAt(destination);
        writer.AdoptDirectory(entry.FullPath, "/");
        var directories = new List<(string Host, string Source)> { (destination, entry.FullPath) };
        foreach (var child in source.EnumerateDirectory(entry, cancellationToken))
        {
            if (child.Type == ContextEntryType.Directory)
            {
                directories.Add((writer.CopyDirectory(child.FullPath, "/" + child.Path), child.FullPath));
            }
            else
            {
                CopyEntry(writer, child, "/" + child.Path);
            }
        }

        // Deepest first: writing into a directory changes its time, so it is stamped last.
        foreach (var (host, original) in Enumerable.Reverse(directories))
        {
            RootfsWriter.StampDirectory(host, original);
        }
    }

    /// <summary>Copies a host file or directory, as it is, to <paramref name="destination"/> (for a directory, an existing one is given its metadata).</summary>
    public static void CopyPath(string source, string destination, CancellationToken cancellationToken)
    {
        var files = FileSource.ForRootfs(Path.GetDirectoryName(source)!);
        Copy(files, files.ResolveSources(Path.GetFileName(source)).Single(), destination, cancellationToken);
    }

    // Rooted at the copy, so no path of the source leads out of it; the source's owners are kept.
    private static RootfsWriter WriterAt(string root) => new(root, new CopyOwner(0, 0), mode: null) { KeepSourceOwners = true };

    private static void CopyEntry(RootfsWriter writer, ContextEntry entry, string path)
    {
        switch (NativeFiles.Lstat(entry.FullPath).Kind)
        {
            case FileKind.SymbolicLink:
                writer.CopySymlink(entry.FullPath, entry.LinkTarget ?? new FileInfo(entry.FullPath).LinkTarget!, path);
                return;
            case FileKind.RegularFile or FileKind.Fifo:
                writer.CopyFile(entry.FullPath, path);
                return;
            default:
                return; // device nodes and sockets are no input of a RUN mount
        }
    }
}

using Drydock.Context;
using Drydock.Native;

namespace Drydock.Building.Copy;

/// <summary>
/// Copies one entry of a file source (a directory with everything the source lets through below
/// it, a file or a symlink) to a new host path, keeping modes, owners and modification times.
/// Used where a mount cannot show the source itself: a build context with .dockerignore rules,
/// or the seed of a new cache directory.
/// </summary>
internal static class TreeCopy
{
    public static void Copy(IFileSource source, ContextEntry entry, string destination, CancellationToken cancellationToken)
    {
        if (entry.Type != ContextEntryType.Directory)
        {
            CopyEntry(entry, destination);
            return;
        }

        var directories = new List<(string Source, string Destination)> { (entry.FullPath, destination) };
        Directory.CreateDirectory(destination);
        foreach (var child in source.EnumerateDirectory(entry, cancellationToken))
        {
            var target = Path.Combine(destination, child.Path);
            if (child.Type == ContextEntryType.Directory)
            {
                Directory.CreateDirectory(target);
                directories.Add((child.FullPath, target));
            }
            else
            {
                CopyEntry(child, target);
            }
        }

        // Deepest first: writing into a directory changes its time, so it is stamped last.
        for (var i = directories.Count - 1; i >= 0; i--)
        {
            Stamp(NativeFiles.Lstat(directories[i].Source), directories[i].Destination);
        }
    }

    private static void CopyEntry(ContextEntry entry, string destination)
    {
        var status = NativeFiles.Lstat(entry.FullPath);
        switch (status.Kind)
        {
            case FileKind.SymbolicLink:
                File.CreateSymbolicLink(destination, entry.LinkTarget ?? new FileInfo(entry.FullPath).LinkTarget!);
                NativeFiles.Lchown(destination, status.Uid, status.Gid);
                return;
            case FileKind.RegularFile:
                NativeFiles.CopyFile(entry.FullPath, destination);
                break;
            case FileKind.Fifo:
                NativeFiles.MakeFifo(destination, status.Permissions);
                break;
            default:
                return; // device nodes and sockets are no build input
        }

        Stamp(status, destination);
    }

    private static void Stamp(FileStatus status, string destination)
    {
        // chown before chmod: changing the owner clears setuid and setgid bits.
        NativeFiles.Lchown(destination, status.Uid, status.Gid);
        NativeFiles.Chmod(destination, status.Permissions);
        NativeFiles.SetTimes(destination, status.AccessTime, status.ModificationTime);
    }
}

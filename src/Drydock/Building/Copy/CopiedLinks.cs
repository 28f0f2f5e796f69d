using Drydock.Native;

namespace Drydock.Building.Copy;

/// <summary>
/// Keeps hardlinks within one COPY/ADD: a regular file met again under another name of the same
/// source inode becomes a hardlink to where its first name was copied, as BuildKit's copy does, so
/// the layer holds its content once. Files linked across instructions are not tracked (neither
/// does BuildKit).
/// </summary>
internal sealed class CopiedLinks
{
    private readonly Dictionary<(ulong Device, ulong Inode), string> _firstCopies = [];
    private readonly Dictionary<string, (ulong Device, ulong Inode)> _sourceOfCopy = new(StringComparer.Ordinal);

    /// <summary>
    /// Links <paramref name="target"/> (a free host path) to the copy of an earlier name of
    /// <paramref name="source"/>'s file; false when there is none, and the file must be copied.
    /// </summary>
    public bool TryLink(FileStatus source, string target)
    {
        if (!IsLinked(source) || !_firstCopies.TryGetValue((source.Device, source.Inode), out var first))
        {
            return false;
        }

        NativeFiles.Link(first, target);
        return true;
    }

    /// <summary>Remembers <paramref name="target"/> as the copy later names of <paramref name="source"/>'s file link to.</summary>
    public void Record(FileStatus source, string target)
    {
        if (IsLinked(source))
        {
            _firstCopies[(source.Device, source.Inode)] = target;
            _sourceOfCopy[target] = (source.Device, source.Inode);
        }
    }

    /// <summary>
    /// Forgets a copy that is about to be replaced (a later source of the instruction writes the same
    /// path): later names must not link to what replaces it, even if it reuses the inode number.
    /// </summary>
    public void Forget(string target)
    {
        if (_sourceOfCopy.Remove(target, out var source))
        {
            _firstCopies.Remove(source);
        }
    }

    private static bool IsLinked(FileStatus source) => source.Kind == FileKind.RegularFile && source.LinkCount > 1;
}

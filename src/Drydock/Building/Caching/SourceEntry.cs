namespace Drydock.Building.Caching;

/// <summary>One thing a COPY or ADD reads from a file source, as its cache key sees it.</summary>
/// <param name="Path">
/// The path named in messages and in <see cref="Drydock.Cache.SourceFileDigest.Path"/>: relative to the
/// source's root as the source names it ("src/main.c"; "." for the root), never a host path.
/// </param>
/// <param name="HostPath">Where the entry is on disk (for a source named through a symlink, what the link leads to).</param>
/// <param name="Role">What the copy does with the entry.</param>
/// <param name="LinkTarget">For a symlink, the target text the copy writes.</param>
internal sealed record SourceEntry(string Path, string HostPath, SourceEntryRole Role, string? LinkTarget = null);

/// <summary>How a copy uses a source entry, which decides what of it counts.</summary>
internal enum SourceEntryRole
{
    /// <summary>A directory source: only its content is copied, so only that it is a directory counts.</summary>
    DirectorySource,

    /// <summary>A directory below a directory source: copied with its mode, owner and attributes.</summary>
    Directory,

    /// <summary>A symlink, copied as a link: its target text and attributes count.</summary>
    Symlink,

    /// <summary>A file, FIFO or device node (what lstat says): content or device numbers, mode, owner and attributes count.</summary>
    File,
}

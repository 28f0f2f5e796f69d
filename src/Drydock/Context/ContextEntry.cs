namespace Drydock.Context;

/// <summary>What a context entry is. Symlinks are reported as links, never as what they point to.</summary>
public enum ContextEntryType
{
    /// <summary>A regular file, or another non-directory node (fifo, device) the copier stats itself.</summary>
    File,
    Directory,
    Symlink,
}

/// <summary>
/// A file, directory or symlink of the build context.
/// </summary>
/// <param name="Path">
/// '/'-separated. For a COPY/ADD source: relative to the context root, as the source named it
/// (wildcards expanded; "." for the root). For an entry enumerated below a directory: relative to
/// that directory, which is what the copier appends to the destination.
/// </param>
/// <param name="FullPath">
/// Where the entry is on disk, always inside the context root. For a source named through a
/// symlink this is the link's target (resolved within the root); otherwise the entry itself.
/// </param>
/// <param name="Type">What the entry is.</param>
/// <param name="LinkTarget">For a symlink, its target text, to be copied verbatim; otherwise null.</param>
public sealed record ContextEntry(string Path, string FullPath, ContextEntryType Type, string? LinkTarget = null);

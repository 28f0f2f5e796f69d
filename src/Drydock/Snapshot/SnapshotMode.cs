namespace Drydock.Snapshot;

/// <summary>
/// What counts as a change of a path that exists before and after a step (kaniko's
/// <c>--snapshot-mode</c>). Added and deleted paths always count.
/// </summary>
public enum SnapshotMode
{
    /// <summary>
    /// Type, permissions, owner, mtime, link target, device numbers, carried xattrs and content
    /// (kaniko's default). Touching a file without changing any of these is no change, and a
    /// content change that kept size and mtime is still seen. Content is hashed only for paths
    /// whose status moved, plus once for the whole tree when the snapshotter starts.
    /// </summary>
    Full,

    /// <summary>
    /// Any change of the status: type, permissions, owner, size, mtime, ctime, inode, link
    /// target, device numbers. No content is read; every write, chmod or chown counts, even one
    /// that changed nothing.
    /// </summary>
    Redo,

    /// <summary>Only type and mtime: the cheapest, and blind to chmod, chown and mtime-preserving writes.</summary>
    Time,
}

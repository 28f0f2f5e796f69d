using Drydock.Foundation.Paths;
using Drydock.Oci;

namespace Drydock.Layers;

/// <summary>How <see cref="LayerExtractor"/> applies a layer.</summary>
public sealed record LayerExtractOptions
{
    public static LayerExtractOptions Default { get; } = new();

    /// <summary>Told, with the entry name, about every entry clamped into the root, skipped or partly applied.</summary>
    public Action<string>? Warn { get; init; }

    /// <summary>Give entries their numeric uid/gid (lchown). Needs root or a user namespace mapping them.</summary>
    public bool PreserveOwnership { get; init; } = true;

    /// <summary>Create character and block devices (mknod); when false they are skipped with a warning.</summary>
    public bool CreateDeviceNodes { get; init; } = true;

    /// <summary>
    /// A character or block device ends the extraction with an error instead of being created or
    /// skipped: for archives (a build context) that have no business holding one.
    /// </summary>
    public bool RefuseDeviceNodes { get; init; }

    /// <summary>The largest entry accepted; a larger one ends the extraction with an error. Null for no limit.</summary>
    public long? MaxEntrySize { get; init; }

    /// <summary>Apply SCHILY.xattr.* PAX records (overlayfs' own xattrs are always refused).</summary>
    public bool ApplyXattrs { get; init; } = true;

    /// <summary>
    /// Read <c>.wh.NAME</c> and <c>.wh..wh..opq</c> entries as whiteouts, as an image layer means
    /// them. False for any other archive (ADD's, a build context): they are then plain files, as
    /// BuildKit's and docker's untar (no whiteout conversion outside layers) leave them.
    /// </summary>
    public bool ApplyWhiteouts { get; init; } = true;

    /// <summary>
    /// Image paths (and all beneath them) that the layer may neither write, delete nor link to: the
    /// ignore list when extracting into "/" (kaniko style), e.g. /proc, /sys, /dev, the work directory.
    /// </summary>
    public ImagePathSet IgnoredPaths { get; init; } = ImagePathSet.Empty;
}

/// <summary>What extracting one layer did: the diffID of the tar read, entries applied and warnings given.</summary>
public sealed record LayerExtractResult(Digest DiffId, long Entries, int Warnings);

namespace Drydock.Building;

/// <summary>How a build finds what each step changed.</summary>
public enum SnapshotterKind
{
    /// <summary>Overlay where mounting overlayfs works, else walk.</summary>
    Auto,

    /// <summary>Each step writes into an overlay upper directory: the diff is what it holds.</summary>
    Overlay,

    /// <summary>The rootfs is walked and compared with the last snapshot.</summary>
    Walk,
}

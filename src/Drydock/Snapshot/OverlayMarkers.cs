using Drydock.Native;

namespace Drydock.Snapshot;

/// <summary>How overlayfs records deletions in an upper directory, and its own xattrs.</summary>
internal static class OverlayMarkers
{
    // "trusted." as root in the initial namespace; "user." under the userxattr mount option.
    private static readonly string[] OpaqueAttributes = ["trusted.overlay.opaque", "user.overlay.opaque"];

    /// <summary>A whiteout: a character device 0:0 hiding the lower path of its name.</summary>
    public static bool IsWhiteout(in FileRecord record) =>
        record.Kind == FileKind.CharacterDevice && record.RdevMajor == 0 && record.RdevMinor == 0;

    /// <summary>An opaque directory hides everything beneath the lower directory of its name.</summary>
    public static bool IsOpaque(string hostDirectory)
    {
        foreach (var name in OpaqueAttributes)
        {
            if (NativeFiles.GetXattr(hostDirectory, name) is [(byte)'y'])
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>overlayfs' bookkeeping (opaque, origin, impure, redirect…), meaningless once merged down.</summary>
    public static bool IsOverlayAttribute(string name) =>
        name.StartsWith("trusted.overlay.", StringComparison.Ordinal) || name.StartsWith("user.overlay.", StringComparison.Ordinal);
}

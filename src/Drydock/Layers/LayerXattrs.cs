using Drydock.Native;

namespace Drydock.Layers;

/// <summary>
/// Which extended attributes travel in layers: user data (<c>user.*</c>) and file capabilities
/// (<c>security.capability</c>, what makes <c>ping</c> work). Never overlayfs' own bookkeeping
/// (<c>trusted.overlay.*</c>, or <c>user.overlay.*</c> under the <c>userxattr</c> mount option),
/// which describes the builder's mounts, not the image. Layer writing and change detection share
/// this one rule, so a change is seen exactly when the layer would differ.
/// </summary>
public static class LayerXattrs
{
    private const string UserPrefix = "user.";
    private const string Capability = "security.capability";
    private const string UserOverlayPrefix = "user.overlay.";

    /// <summary>Whether an attribute of this name belongs in a layer.</summary>
    public static bool IsCarried(string name) =>
        name == Capability || (name.StartsWith(UserPrefix, StringComparison.Ordinal) && !name.StartsWith(UserOverlayPrefix, StringComparison.Ordinal));

    /// <summary>The carried attributes of a path itself (links not followed), sorted by name.</summary>
    public static List<KeyValuePair<string, byte[]>> Read(string hostPath)
    {
        var result = new List<KeyValuePair<string, byte[]>>();
        var names = NativeFiles.ListXattrs(hostPath).Where(IsCarried).ToArray();
        Array.Sort(names, StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (NativeFiles.GetXattr(hostPath, name) is { } value)
            {
                result.Add(new(name, value));
            }
        }

        return result;
    }
}

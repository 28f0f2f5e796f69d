using Drydock.Native;

namespace Drydock.Snapshot;

/// <summary>
/// One overlayfs mount of a step: the rootfs as the only lower directory, a fresh upper and work
/// directory, mounted on a merged directory. All three live in one state directory on the rootfs'
/// file system, so the upper directory's entries can later be renamed into the rootfs.
/// </summary>
internal sealed class OverlayMount(string lower, string stateDirectory)
{
    private static readonly TimeSpan BusyRetryDelay = TimeSpan.FromMilliseconds(50);
    private const int BusyRetries = 40;

    public string Lower { get; } = lower;

    public string Upper { get; } = Path.Combine(stateDirectory, "upper");

    public string Work { get; } = Path.Combine(stateDirectory, "work");

    public string Merged { get; } = Path.Combine(stateDirectory, "merged");

    /// <summary>Where overlayfs keeps the copies of lower files with several names (see <see cref="OverlayCopies"/>).</summary>
    public string Index => Path.Combine(Work, "index");

    public bool IsMounted { get; private set; }

    /// <summary>
    /// The mount options. Every feature that lets the upper directory refer to the lower one
    /// instead of holding the data is turned off, where the kernel knows it: with redirect_dir,
    /// a renamed directory's content stays in the lower directory; with metacopy, a chown copies
    /// no data up. The upper directory must be complete on its own, because it is both the diff
    /// and what is merged down. index is turned on: a lower file with several names is then copied
    /// up once for all of them, so a step sees them change together as in a plain directory, and
    /// the index tells which lower file each such copy came from (see <see cref="OverlayCopies"/>).
    /// Its price: deleting or replacing one name of such a file copies it up too, to keep count.
    /// </summary>
    public static string Options(string lower, string upper, string work)
    {
        foreach (var path in new[] { lower, upper, work })
        {
            // These separate options and lower directories in the option string.
            if (path.IndexOfAny([',', ':', '\\']) >= 0)
            {
                throw new ArgumentException($"An overlay directory path must not contain ',', ':' or '\\': '{path}'.");
            }
        }

        var options = $"lowerdir={lower},upperdir={upper},workdir={work}";
        foreach (var (feature, value) in new[] { ("redirect_dir", "off"), ("metacopy", "off"), ("index", "on") })
        {
            if (File.Exists("/sys/module/overlay/parameters/" + feature))
            {
                options += $",{feature}={value}";
            }
        }

        return options;
    }

    /// <summary>Creates empty upper and work directories (the upper root dressed as the lower root) and mounts.</summary>
    public void Mount()
    {
        RemoveScratch();
        Directory.CreateDirectory(Upper);
        Directory.CreateDirectory(Work);
        Directory.CreateDirectory(Merged);

        // The merged root shows the upper root's owner, mode and times: the image's, not ours.
        OverlayMerge.CopyDirectoryMetadata(Lower, Upper);
        NativeMounts.MountOverlay(Merged, Options(Lower, Upper, Work));
        IsMounted = true;
        NativeMounts.MakePrivate(Merged);
    }

    /// <summary>Unmounts, waiting a little for processes of a finished step to let go, then detaching.</summary>
    public async Task UnmountAsync()
    {
        if (!IsMounted)
        {
            return;
        }

        for (var attempt = 0; ; attempt++)
        {
            try
            {
                NativeMounts.Unmount(Merged);
                break;
            }
            catch (NativeFilesException e) when (e.Errno == NativeMounts.EBUSY)
            {
                if (attempt == BusyRetries)
                {
                    NativeMounts.Detach(Merged);
                    break;
                }

                await Task.Delay(BusyRetryDelay).ConfigureAwait(false);
            }
        }

        IsMounted = false;
    }

    /// <summary>Removes the upper and work directories (the work directory holds root-only leftovers).</summary>
    public void RemoveScratch()
    {
        foreach (var directory in new[] { Upper, Work })
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }
}

using System.Runtime.Versioning;
using Drydock.Building.Copy;
using Drydock.Foundation.Paths;
using Drydock.Native;
using Drydock.Sandbox;

namespace Drydock.Building.Mounts;

/// <summary>
/// A RUN's mounts where mount(2) is refused (in place): before the command, what each mount would
/// show is put at its target (a cache directory or an ssh socket moved there, a bind source or a
/// secret copied with its owner and mode, an empty directory for a tmpfs), anything already there
/// set aside; disposing takes it all away again (the cache moved back, copies and secrets deleted),
/// puts back what was set aside and restores directory times, so no snapshot ever sees a mount.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class InPlaceMounts : IAsyncDisposable
{
    private const UnixFileMode TmpfsMode = (UnixFileMode)0b1_111_111_111;

    private readonly string _root;
    private readonly MountPoints _mountPoints;
    private readonly List<Action> _undo = [];
    private readonly List<Action> _putBack = [];

    private InPlaceMounts(string root)
    {
        _root = root;
        _mountPoints = new MountPoints(root);
    }

    /// <param name="ignored">Paths never overwritten: a mount may only be put there where nothing is yet.</param>
    public static async Task<InPlaceMounts> PlaceAsync(IReadOnlyList<SandboxMount> mounts, string rootfs, ImagePathSet ignored, CancellationToken cancellationToken)
    {
        var placed = new InPlaceMounts(ImagePaths.FullRoot(rootfs));
        try
        {
            // Parents before children, as mounts are applied.
            foreach (var mount in mounts.OrderBy(m => m.Target.Count(c => c == '/')))
            {
                placed.Put(mount, ignored, cancellationToken);
            }

            placed._mountPoints.SetupComplete();
            return placed;
        }
        catch
        {
            await placed.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _undo.Count - 1; i >= 0; i--)
        {
            _undo[i]();
        }

        _undo.Clear();
        // The mount points go before what was set aside comes back to their places.
        await _mountPoints.RestoreAsync().ConfigureAwait(false);
        for (var i = _putBack.Count - 1; i >= 0; i--)
        {
            _putBack[i]();
        }

        _putBack.Clear();
    }

    private void Put(SandboxMount mount, ImagePathSet ignored, CancellationToken cancellationToken)
    {
        var target = RootedPath.Resolve(_root, mount.Target);
        if (NativeFiles.TryLstat(target, out _))
        {
            if (ignored.Covers(ImagePaths.FromHost(_root, target)))
            {
                throw new SandboxException($"cannot put a mount on {mount.Target} in place: it is on the ignore list, and something is there already");
            }

            SetAside(target);
        }

        var isDirectory = mount is SandboxMount.Tmpfs || Directory.Exists(((SandboxMount.Bind)mount).Source);
        var placed = isDirectory ? _mountPoints.Directory(mount.Target) : _mountPoints.File(mount.Target);
        switch (mount)
        {
            case SandboxMount.Tmpfs:
                NativeFiles.Chmod(placed, TmpfsMode);
                _undo.Add(() => Directory.Delete(placed, recursive: true));
                break;
            case SandboxMount.Bind bind when bind.Target == RunMountSetup.ScriptDirectory && IsUnderRoot(bind.Source):
                // Links to the scripts, not copies: a container's /dev is often noexec (podman's is),
                // and exec checks the mount of the file a link leads to, here the work directory's.
                foreach (var script in Directory.EnumerateFiles(bind.Source))
                {
                    File.CreateSymbolicLink(Path.Combine(placed, Path.GetFileName(script)), ImagePaths.FromHost(_root, script));
                }

                _undo.Add(() => InPlaceRoot.Delete(placed));
                break;
            case SandboxMount.Bind { Writes: BindWrites.Kept } bind:
                MoveIn(bind.Source, placed, isDirectory, cancellationToken);
                break;
            case SandboxMount.Bind bind:
                Copy(bind.Source, placed, cancellationToken);
                _undo.Add(() => InPlaceRoot.Delete(placed));
                break;
        }
    }

    private bool IsUnderRoot(string hostPath) => _root == "/" || hostPath.StartsWith(_root + "/", StringComparison.Ordinal);

    /// <summary>What is at the target already waits beside it, under a name of its own, until the command is done.</summary>
    private void SetAside(string target)
    {
        var parent = Path.GetDirectoryName(target)!;
        var times = NativeFiles.Lstat(parent);
        var aside = Path.Combine(parent, ".drydock-aside-" + Guid.NewGuid().ToString("N")[..12]);
        NativeFiles.Rename(target, aside);
        _putBack.Add(() =>
        {
            NativeFiles.Rename(aside, target);
            NativeFiles.SetTimes(parent, times.AccessTime, times.ModificationTime);
        });
    }

    /// <summary>A cache directory (or socket) is moved in and back out; across file systems it is copied both ways.</summary>
    private void MoveIn(string source, string placed, bool isDirectory, CancellationToken cancellationToken)
    {
        try
        {
            NativeFiles.Rename(source, placed);
            _undo.Add(() =>
            {
                NativeFiles.Rename(placed, source);
                // The mount point stays for MountPoints to remove.
                if (isDirectory)
                {
                    Directory.CreateDirectory(placed);
                }
                else
                {
                    File.Create(placed).Dispose();
                }
            });
        }
        catch (NativeFilesException e) when (e.IsCrossDevice)
        {
            Copy(source, placed, cancellationToken);
            _undo.Add(() =>
            {
                InPlaceRoot.Delete(source);
                Copy(placed, source, CancellationToken.None);
                InPlaceRoot.Delete(placed);
            });
        }
    }

    /// <summary>An exact copy (owners, modes, times) of a file or directory, over an empty mount point.</summary>
    private static void Copy(string source, string target, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(source))
        {
            File.Delete(target);
        }

        TreeCopy.CopyPath(source, target, cancellationToken);
    }
}

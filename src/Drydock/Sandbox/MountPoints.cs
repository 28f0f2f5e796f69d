using System.Runtime.Versioning;
using Drydock.Foundation.Paths;
using Drydock.Native;

namespace Drydock.Sandbox;

/// <summary>
/// Creates the files and directories the sandbox mounts onto, inside a rootfs, and afterwards puts
/// the rootfs back as it was found: what was created is removed and the times of the directories
/// that held it are restored, so a snapshot of the rootfs sees only the command's own changes.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class MountPoints(string root)
{
    private const UnixFileMode DirectoryMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
        UnixFileMode.GroupRead | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private static readonly TimeSpan BusyRetryDelay = TimeSpan.FromMilliseconds(20);
    private const int BusyRetries = 100;

    private readonly List<(string Path, bool IsDirectory)> _created = [];
    private readonly Dictionary<string, TouchedDirectory> _touched = new(StringComparer.Ordinal);

    /// <summary>The host path of the directory <paramref name="imagePath"/> resolves to, created if missing.</summary>
    public string Directory(string imagePath) => Ensure(imagePath, directory: true);

    /// <summary>The host path of the file <paramref name="imagePath"/> resolves to, created (empty) if missing.</summary>
    public string File(string imagePath) => Ensure(imagePath, directory: false);

    /// <summary>Records the state every touched directory is in once all mount points exist.</summary>
    public void SetupComplete()
    {
        foreach (var (path, state) in _touched)
        {
            state.AfterSetup = NativeFiles.Lstat(path);
        }
    }

    /// <summary>Removes what was created and restores directory times. Call once no sandbox process is left.</summary>
    public async Task RestoreAsync()
    {
        // Read before removing anything: removal itself changes these directories again.
        var beforeCleanup = _touched.Keys.ToDictionary(path => path, TryGetTimes, StringComparer.Ordinal);
        var kept = new HashSet<string>(StringComparer.Ordinal);
        for (var i = _created.Count - 1; i >= 0; i--)
        {
            var (path, isDirectory) = _created[i];
            if (!await TryRemoveAsync(path, isDirectory).ConfigureAwait(false))
            {
                kept.Add(Path.GetDirectoryName(path)!);
            }
        }

        foreach (var (path, state) in _touched)
        {
            if (beforeCleanup[path] is not { } current || !System.IO.Directory.Exists(path))
            {
                continue; // the command removed it
            }

            // Untouched by the command since setup (or no command ran): back to the original
            // times. Otherwise the command changed the directory too, and its times are the
            // command's, not ours.
            var changedByCommand = state.AfterSetup is { } after
                && (current.ModificationTime != after.ModificationTime || current.ChangeTime != after.ChangeTime);
            var restore = changedByCommand || kept.Contains(path) ? current : state.Before;
            NativeFiles.SetTimes(path, restore.AccessTime, restore.ModificationTime);
        }

        _created.Clear();
        _touched.Clear();
    }

    private string Ensure(string imagePath, bool directory)
    {
        // In-root resolution: an image's /etc/resolv.conf -> /../../host/file must stay in the rootfs.
        var target = RootedPath.Resolve(root, imagePath);
        if (target == root)
        {
            throw new SandboxException($"cannot mount onto {imagePath}: it resolves to the image's root directory");
        }

        var missing = new Stack<string>();
        for (var path = target; !Exists(path); path = Path.GetDirectoryName(path)!)
        {
            missing.Push(path);
        }

        if (missing.Count == 0)
        {
            return target;
        }

        Touch(Path.GetDirectoryName(missing.Peek())!);
        while (missing.TryPop(out var path))
        {
            var isDirectory = directory || missing.Count > 0;
            try
            {
                if (isDirectory)
                {
                    System.IO.Directory.CreateDirectory(path, DirectoryMode);
                }
                else
                {
                    using (new FileStream(path, FileMode.CreateNew, FileAccess.Write))
                    {
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new SandboxException(
                    $"cannot create the mount point for {imagePath} at {RootedPath.ToImagePath(root, path)} in the image: {e.Message}", e);
            }

            _created.Add((path, isDirectory));
        }

        return target;
    }

    private void Touch(string directory)
    {
        // A directory we created ourselves goes away again: its times do not matter.
        if (!_touched.ContainsKey(directory) && !_created.Contains((directory, true)))
        {
            _touched[directory] = new TouchedDirectory(NativeFiles.Lstat(directory));
        }
    }

    private static bool Exists(string path) => Path.Exists(path) || new FileInfo(path).LinkTarget is not null;

    private static FileStatus? TryGetTimes(string path)
    {
        try
        {
            return NativeFiles.Lstat(path);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <returns>false when the entry holds something the command put there, and stays.</returns>
    private static async Task<bool> TryRemoveAsync(string path, bool isDirectory)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                if (isDirectory)
                {
                    if (!System.IO.Directory.Exists(path))
                    {
                        return true;
                    }

                    if (System.IO.Directory.EnumerateFileSystemEntries(path).Any())
                    {
                        return false;
                    }

                    System.IO.Directory.Delete(path);
                }
                else
                {
                    System.IO.File.Delete(path);
                }

                return true;
            }
            catch (IOException) when (attempt < BusyRetries)
            {
                // A mount can outlive the launcher for a moment when it was killed outright.
                await Task.Delay(BusyRetryDelay).ConfigureAwait(false);
            }
        }
    }

    private sealed class TouchedDirectory(FileStatus before)
    {
        public FileStatus Before { get; } = before;

        public FileStatus? AfterSetup { get; set; }
    }
}

using Drydock.Layers;
using Drydock.Native;

namespace Drydock.Build;

/// <summary>
/// Writes files into a stage's root filesystem for COPY/ADD. Every image path is resolved inside
/// the root (symlinks included), so nothing lands outside it.
/// </summary>
internal sealed class RootfsWriter(string rootfs, CopyOwner owner, UnixFileMode? mode)
{
    private const UnixFileMode DirectoryMode = (UnixFileMode)0b111_101_101;

    /// <summary>Whether an image path (following links) is an existing directory.</summary>
    public bool IsDirectory(string imagePath) => Directory.Exists(RootedPath.Resolve(rootfs, imagePath));

    /// <summary>Creates the directory and any missing parents (0755, owned by the COPY owner), like mkdir -p.</summary>
    public string EnsureDirectory(string imagePath)
    {
        var current = "/";
        foreach (var part in imagePath.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            current = current == "/" ? "/" + part : current + "/" + part;
            var host = RootedPath.Resolve(rootfs, current);
            if (Directory.Exists(host))
            {
                continue;
            }

            if (File.Exists(host) || new FileInfo(host).LinkTarget is not null)
            {
                throw new IOException($"cannot create directory {current}: a file of that name exists in the image");
            }

            Directory.CreateDirectory(host);
            File.SetUnixFileMode(host, DirectoryMode);
            NativeFiles.Lchown(host, owner.Uid, owner.Gid);
        }

        return RootedPath.Resolve(rootfs, imagePath);
    }

    public void CopyFile(string source, string imagePath)
    {
        var target = PrepareTarget(imagePath);
        File.Copy(source, target);
        Finish(target, mode ?? File.GetUnixFileMode(source), File.GetLastWriteTimeUtc(source));
    }

    public void WriteFile(string imagePath, string content, DateTime modified)
    {
        var target = PrepareTarget(imagePath);
        File.WriteAllText(target, content);
        Finish(target, mode ?? (UnixFileMode)0b110_100_100, modified);
    }

    public void CopySymlink(string linkTarget, string imagePath)
    {
        var target = PrepareTarget(imagePath);
        File.CreateSymbolicLink(target, linkTarget);
        NativeFiles.Lchown(target, owner.Uid, owner.Gid);
    }

    /// <summary>Creates (or reuses) a directory copied from the context, with the source's mode.</summary>
    public string CopyDirectory(string source, string imagePath)
    {
        var host = RootedPath.Resolve(rootfs, imagePath);
        var existed = Directory.Exists(host);
        host = EnsureDirectory(imagePath);
        if (!existed)
        {
            File.SetUnixFileMode(host, mode ?? File.GetUnixFileMode(source));
        }

        return host;
    }

    /// <summary>Sets a copied directory's mtime once its content is written (writing into it changes it).</summary>
    public static void StampDirectory(string host, string source) =>
        Directory.SetLastWriteTimeUtc(host, Directory.GetLastWriteTimeUtc(source));

    private string PrepareTarget(string imagePath)
    {
        var parent = Path.GetDirectoryName(imagePath) ?? "/";
        EnsureDirectory(parent);
        var target = RootedPath.Resolve(rootfs, imagePath, followLast: false);
        if (Directory.Exists(target) && new DirectoryInfo(target).LinkTarget is null)
        {
            throw new IOException($"cannot replace directory {imagePath} with a file");
        }

        // Unlink first: writing through an existing symlink could reach outside the root.
        File.Delete(target);
        return target;
    }

    private void Finish(string target, UnixFileMode fileMode, DateTime modified)
    {
        // chown before chmod: changing the owner clears setuid and setgid bits.
        NativeFiles.Lchown(target, owner.Uid, owner.Gid);
        File.SetUnixFileMode(target, fileMode);
        File.SetLastWriteTimeUtc(target, modified);
    }
}

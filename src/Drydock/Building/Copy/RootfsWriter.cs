using Drydock.Foundation.Paths;
using Drydock.Foundation.Streams;
using Drydock.Native;

namespace Drydock.Building.Copy;

/// <summary>
/// Writes files into a stage's root filesystem for COPY/ADD. Every image path is resolved inside
/// the root (symlinks included), so nothing lands outside it. Copied entries keep their source's
/// mode (or get <c>--chmod</c>'s), times and, with <see cref="KeepSourceOwners"/>, owner; the
/// directories created on the way to a destination are 0755 and never take <c>--chmod</c>, as
/// BuildKit creates them. Copied entries also keep their source's extended attributes, and files
/// hardlinked to each other in the sources stay so (see <see cref="CopiedLinks"/>): one writer
/// serves one instruction.
/// </summary>
/// <param name="rootfs">The stage's root filesystem on the host.</param>
/// <param name="owner">The owner of what is written (<c>--chown</c>, else 0:0).</param>
/// <param name="mode">The <c>--chmod</c> of copied files and directories, or null to keep their own.</param>
internal sealed class RootfsWriter(string rootfs, CopyOwner owner, ChmodSpec? mode)
{
    private const UnixFileMode DirectoryMode = (UnixFileMode)0b111_101_101;

    private readonly CopiedLinks _links = new();

    /// <summary>
    /// Whether copied entries keep the owner they have in the source rather than getting
    /// <c>owner</c>: COPY --from without --chown (BuildKit keeps a stage's owners; only the build
    /// context is sent with every owner reset to 0:0).
    /// </summary>
    public bool KeepSourceOwners { get; init; }

    /// <summary>Whether an image path (following links) is an existing directory.</summary>
    public bool IsDirectory(string imagePath) => Directory.Exists(RootedPath.Resolve(rootfs, imagePath));

    /// <summary>Creates the directory and any missing parents (0755, owned by the COPY owner), like mkdir -p.</summary>
    /// <returns>The directory's host path.</returns>
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
            NativeFiles.Chmod(host, DirectoryMode);
            NativeFiles.Lchown(host, owner.Uid, owner.Gid);
        }

        return RootedPath.Resolve(rootfs, imagePath);
    }

    /// <summary>
    /// Copies a non-directory, non-link entry: a regular file's content, or a FIFO or device node
    /// made anew. A socket is skipped: it means nothing without the process that bound it. Another
    /// name of a regular file this writer copied already becomes a hardlink to that copy.
    /// </summary>
    public void CopyFile(string source, string imagePath)
    {
        var status = NativeFiles.Lstat(source);
        if (status.Kind == FileKind.Socket)
        {
            return;
        }

        var target = PrepareTarget(imagePath);
        if (_links.TryLink(status, target))
        {
            return;
        }

        if (status.Kind == FileKind.RegularFile)
        {
            NativeFiles.CopyFile(source, target);
        }
        else
        {
            NativeFiles.MakeNode(target, status.Kind, status.Permissions, status.RdevMajor, status.RdevMinor);
        }

        Finish(source, target, status, isDirectory: false);
        _links.Record(status, target);
    }

    /// <summary>Writes a file from a stream: a heredoc's body or a download, with the mode and time given.</summary>
    public async Task WriteFileAsync(string imagePath, Stream content, UnixFileMode sourceMode, DateTimeOffset modified, CancellationToken cancellationToken)
    {
        var target = PrepareTarget(imagePath);
        var file = NewFile.Create(target);
        await using (file.ConfigureAwait(false))
        {
            await content.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
        }

        NativeFiles.Lchown(target, owner.Uid, owner.Gid);
        NativeFiles.Chmod(target, mode?.Apply(sourceMode, isDirectory: false) ?? sourceMode);
        var time = FileTime.FromDateTimeOffset(modified);
        NativeFiles.SetTimes(target, time, time);
    }

    public void CopySymlink(string source, string linkTarget, string imagePath)
    {
        var status = NativeFiles.Lstat(source);
        var target = PrepareTarget(imagePath);
        File.CreateSymbolicLink(target, linkTarget);
        Finish(source, target, status, isDirectory: false);
    }

    /// <summary>
    /// Creates a directory copied from the source with the source's metadata; one that exists
    /// already is merged into and keeps its own.
    /// </summary>
    /// <returns>The directory's host path, for <see cref="StampDirectory"/>.</returns>
    public string CopyDirectory(string source, string imagePath)
    {
        var host = RootedPath.Resolve(rootfs, imagePath);
        if (Directory.Exists(host))
        {
            return host;
        }

        host = EnsureDirectory(imagePath);
        Finish(source, host, NativeFiles.Lstat(source), isDirectory: true);
        return host;
    }

    /// <summary>Gives an existing directory the source directory's owner, attributes, mode and times (the root of a tree copied whole).</summary>
    public void AdoptDirectory(string source, string imagePath) =>
        Finish(source, RootedPath.Resolve(rootfs, imagePath), NativeFiles.Lstat(source), isDirectory: true);

    /// <summary>
    /// Gives a directory the source directory's times once its content is written (writing into
    /// it changes them). BuildKit does this also to a directory that existed before the copy.
    /// </summary>
    public static void StampDirectory(string host, string source)
    {
        var status = NativeFiles.Lstat(source);
        NativeFiles.SetTimes(host, status.AccessTime, status.ModificationTime);
    }

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
        _links.Forget(target);
        return target;
    }

    private void Finish(string source, string target, FileStatus status, bool isDirectory)
    {
        // chown first: changing the owner clears setuid, setgid and security.capability. Attributes
        // before chmod, so that the mode (--chmod's too) has the last word over an ACL's.
        if (KeepSourceOwners)
        {
            NativeFiles.Lchown(target, status.Uid, status.Gid);
        }
        else
        {
            NativeFiles.Lchown(target, owner.Uid, owner.Gid);
        }

        CopiedXattrs.Copy(source, target);
        if (status.Kind != FileKind.SymbolicLink)
        {
            NativeFiles.Chmod(target, mode?.Apply(status.Permissions, isDirectory) ?? status.Permissions);
        }

        NativeFiles.SetTimes(target, status.AccessTime, status.ModificationTime);
    }
}

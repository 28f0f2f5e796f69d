using System.Text;
using Drydock.Building.Copy;
using Drydock.Context;
using Drydock.Native;

namespace Drydock.Tests.Building.Copy;

/// <summary>
/// The copies RUN mounts make (a context with .dockerignore rules, a cache's seed) go through
/// COPY's writer: owners, modes, times, extended attributes and hardlinks are kept.
/// </summary>
public sealed class TreeCopyTests : IDisposable
{
    private static readonly byte[] Value = Encoding.ASCII.GetBytes("value");
    private readonly string _root = Directory.CreateTempSubdirectory("drydock-treecopy-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [RootFact]
    public void A_directory_keeps_hardlinks_attributes_owners_and_modes()
    {
        var source = Directory.CreateDirectory(Path.Combine(_root, "source", "tree")).FullName;
        var file = Path.Combine(source, "sub", "file");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, "data");
        NativeFiles.Link(file, Path.Combine(source, "other-name"));
        NativeFiles.SetXattr(file, "user.origin", Value);
        NativeFiles.Lchown(file, 1000, 1001);
        NativeFiles.Chmod(file, (UnixFileMode)0b111_101_000);
        NativeFiles.Chmod(source, (UnixFileMode)0b111_000_000);
        File.CreateSymbolicLink(Path.Combine(source, "link"), "sub/file");
        var files = FileSource.ForRootfs(Path.Combine(_root, "source"));
        var destination = Path.Combine(_root, "copy");

        TreeCopy.Copy(files, Assert.Single(files.ResolveSources("/tree")), destination, CancellationToken.None);

        var copied = NativeFiles.Lstat(Path.Combine(destination, "sub", "file"));
        Assert.Equal(copied.Inode, NativeFiles.Lstat(Path.Combine(destination, "other-name")).Inode);
        Assert.Equal(Value, NativeFiles.GetXattr(Path.Combine(destination, "sub", "file"), "user.origin"));
        Assert.Equal((1000u, 1001u), (copied.Uid, copied.Gid));
        Assert.Equal((UnixFileMode)0b111_101_000, copied.Permissions);
        Assert.Equal((UnixFileMode)0b111_000_000, NativeFiles.Lstat(destination).Permissions);
        Assert.Equal("sub/file", new FileInfo(Path.Combine(destination, "link")).LinkTarget);
    }

    [Fact]
    public void A_single_file_becomes_the_destination()
    {
        var source = Directory.CreateDirectory(Path.Combine(_root, "source")).FullName;
        File.WriteAllText(Path.Combine(source, "one.txt"), "one");
        var files = FileSource.ForRootfs(source);
        var destination = Path.Combine(_root, "copy.txt");

        TreeCopy.Copy(files, Assert.Single(files.ResolveSources("/one.txt")), destination, CancellationToken.None);

        Assert.Equal("one", File.ReadAllText(destination));
    }
}

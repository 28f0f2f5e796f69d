using System.Security.Cryptography;
using Drydock.Native;

namespace Drydock.Tests.Layers;

/// <summary>A file tree with every kind of entry and metadata a layer carries, and a way to compare trees.</summary>
internal static class SampleTree
{
    // VFS_CAP_REVISION_2 with the effective flag; permitted = CAP_SETUID (bit 7, so a 0x80 byte) | CAP_NET_RAW.
    public static readonly byte[] Capability = [0x01, 0, 0, 0x02, 0x80, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    public static readonly string LongName = "/opt/" + string.Join('/', Enumerable.Repeat("a-rather-long-directory-name", 5)) + "/file-with-a-long-name.txt";

    public static void Build(string root)
    {
        Dir(root, "/etc", 0x1ED, 0, 0);
        File(root, "/etc/passwd", "root:x:0:0::/root:/bin/sh\n", 0x1A4, 0, 0);
        Dir(root, "/usr", 0x1ED, 0, 0);
        Dir(root, "/usr/bin", 0x1ED, 0, 0);
        File(root, "/usr/bin/su", "#!/bin/sh\n", 0x9ED, 0, 0); // 04755
        Dir(root, "/usr/lib", 0x1ED, 0, 0);
        Dir(root, "/home", 0x1ED, 0, 0);
        Dir(root, "/home/app", 0x1E8, 1000, 1000); // 0750
        File(root, "/home/app/notes", "private\n", 0x180, 1000, 1000); // 0600
        NativeFiles.SetXattr(Host(root, "/home/app/notes"), "user.comment", "kept"u8);
        Dir(root, "/bin", 0x1ED, 0, 0);
        File(root, "/bin/busybox", "busybox binary", 0x1ED, 0, 0);
        NativeFiles.Link(Host(root, "/bin/busybox"), Host(root, "/bin/sh"));
        System.IO.File.CreateSymbolicLink(Host(root, "/lib"), "usr/lib");
        NativeFiles.Lchown(Host(root, "/lib"), 0, 0);
        Dir(root, "/dev", 0x1ED, 0, 0);
        NativeFiles.MakeNode(Host(root, "/dev/null"), FileKind.CharacterDevice, (UnixFileMode)0x1B6, 1, 3);
        NativeFiles.Chmod(Host(root, "/dev/null"), (UnixFileMode)0x1B6);
        Dir(root, "/run", 0x1ED, 0, 0);
        NativeFiles.MakeFifo(Host(root, "/run/fifo"), (UnixFileMode)0x180);
        NativeFiles.Chmod(Host(root, "/run/fifo"), (UnixFileMode)0x180);
        Dir(root, "/tmp", 0x3FF, 0, 0); // 01777
        Dir(root, "/opt", 0x1ED, 0, 0);
        File(root, "/opt/ping", "ping", 0x1ED, 0, 0);
        NativeFiles.SetXattr(Host(root, "/opt/ping"), "security.capability", Capability);
        var random = new byte[1_000_000];
        new Random(42).NextBytes(random);
        System.IO.File.WriteAllBytes(Host(root, "/opt/blob.bin"), random);
        Directory.CreateDirectory(Host(root, Path.GetDirectoryName(LongName)!));
        File(root, LongName, "long", 0x1A4, 70000, 70000);
        File(root, "/opt/été-☃.txt", "unicode", 0x1A4, 0, 0);
        NativeFiles.SetTimes(Host(root, "/opt/blob.bin"), new FileTime(1_650_000_000, 0), new FileTime(1_650_000_000, 123_456_789));
        NativeFiles.SetTimes(Host(root, "/etc"), new FileTime(1_600_000_000, 0), new FileTime(1_600_000_000, 999_999_999));
    }

    public static string Host(string root, string imagePath) => root + imagePath;

    private static void Dir(string root, string path, int mode, uint uid, uint gid)
    {
        Directory.CreateDirectory(Host(root, path));
        NativeFiles.Lchown(Host(root, path), uid, gid);
        NativeFiles.Chmod(Host(root, path), (UnixFileMode)mode);
    }

    private static void File(string root, string path, string content, int mode, uint uid, uint gid)
    {
        System.IO.File.WriteAllText(Host(root, path), content);
        NativeFiles.Lchown(Host(root, path), uid, gid);
        NativeFiles.Chmod(Host(root, path), (UnixFileMode)mode);
    }
}

namespace Drydock.Native;

/// <summary>The kind of a file system object, as the S_IFMT bits of its mode say.</summary>
public enum FileKind
{
    Unknown,
    RegularFile,
    Directory,
    SymbolicLink,
    CharacterDevice,
    BlockDevice,
    Fifo,
    Socket,
}

/// <summary>
/// What lstat tells about one path (never following a final symlink). Times keep nanoseconds;
/// <see cref="Device"/> and <see cref="Inode"/> together identify the file (hardlinks share them).
/// </summary>
public readonly record struct FileStatus(
    FileKind Kind,
    uint Mode,
    uint Uid,
    uint Gid,
    long Size,
    FileTime AccessTime,
    FileTime ModificationTime,
    FileTime ChangeTime,
    ulong Device,
    ulong Inode,
    uint LinkCount,
    uint RdevMajor,
    uint RdevMinor)
{
    /// <summary>Permission bits including setuid, setgid and sticky (the low 12 bits of the mode).</summary>
    public UnixFileMode Permissions => (UnixFileMode)(Mode & 0xFFF);

    public bool IsDirectory => Kind == FileKind.Directory;

    internal static FileKind KindOf(uint mode) => (mode & 0xF000) switch
    {
        0x8000 => FileKind.RegularFile,
        0x4000 => FileKind.Directory,
        0xA000 => FileKind.SymbolicLink,
        0x2000 => FileKind.CharacterDevice,
        0x6000 => FileKind.BlockDevice,
        0x1000 => FileKind.Fifo,
        0xC000 => FileKind.Socket,
        _ => FileKind.Unknown,
    };
}

using System.Formats.Tar;
using Drydock.Native;

namespace Drydock.Layers;

/// <summary>What <see cref="PaxTarWriter"/> writes for one entry. Xattr values are raw bytes.</summary>
internal sealed record TarEntryHeader
{
    /// <summary>The name in the archive: relative, "/"-separated, directories ending in "/".</summary>
    public required string Name { get; init; }

    public required TarEntryType Type { get; init; }

    public UnixFileMode Mode { get; init; }

    public long Uid { get; init; }

    public long Gid { get; init; }

    /// <summary>Bytes of data that follow (regular files only).</summary>
    public long Size { get; init; }

    public FileTime ModificationTime { get; init; }

    /// <summary>Symlink target or hardlink target name.</summary>
    public string LinkName { get; init; } = "";

    public uint DeviceMajor { get; init; }

    public uint DeviceMinor { get; init; }

    /// <summary>Extended attributes, in the order they are written.</summary>
    public IReadOnlyList<KeyValuePair<string, byte[]>> Xattrs { get; init; } = [];
}

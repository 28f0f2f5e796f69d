using System.Security.Cryptography;
using System.Text;
using Drydock.Cache;
using Drydock.Native;
using Drydock.Oci;

namespace Drydock.Building.Caching;

/// <summary>What was read of one source entry: its status, the attributes a copy gives it and, for a regular file, the SHA-256 of its content.</summary>
internal sealed record ObservedEntry(FileStatus Status, IReadOnlyList<(string Name, byte[] Value)> Xattrs, byte[]? Content);

/// <summary>
/// The digest of one source entry: SHA-256 over a canonical record of what the copy writes from
/// it — its kind, permission bits (setuid, setgid and sticky included), link target, device
/// numbers, extended attributes, the earlier name it is hardlinked to, content, and owner only
/// where the copy keeps owners. Never times or inode numbers: a fresh checkout of the same files
/// must give the same digest.
/// </summary>
/// <remarks>
/// Every field starts with its own tag and strings carry their length, so no two different
/// records ever write the same bytes. The format may change between versions (the key has a
/// version of its own), never within one.
/// </remarks>
internal static class SourceEntryRecord
{
    /// <param name="role">How the copy uses the entry.</param>
    /// <param name="linkTarget">A symlink's target text.</param>
    /// <param name="observed">What was read of it.</param>
    /// <param name="hardlinkTo">The path of an earlier entry of the same instruction that is the same file, else null.</param>
    /// <param name="withOwners">Whether the copy keeps the source's owners (COPY --from without --chown).</param>
    public static Digest Of(SourceEntryRole role, string? linkTarget, ObservedEntry observed, string? hardlinkTo, bool withOwners)
    {
        using var buffer = new MemoryStream();
        using (var record = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            var status = observed.Status;
            record.Write((byte)'k');
            record.Write(role == SourceEntryRole.DirectorySource ? "directory source" : status.Kind.ToString());
            if (role != SourceEntryRole.DirectorySource)
            {
                WriteMetadata(record, role, linkTarget, observed, hardlinkTo, withOwners);
            }
        }

        return Digest.Sha256(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    private static void WriteMetadata(BinaryWriter record, SourceEntryRole role, string? linkTarget, ObservedEntry observed, string? hardlinkTo, bool withOwners)
    {
        var status = observed.Status;
        if (status.Kind != FileKind.SymbolicLink)
        {
            // A link's own mode is never copied.
            record.Write((byte)'m');
            record.Write((uint)status.Permissions);
        }

        if (withOwners)
        {
            record.Write((byte)'o');
            record.Write(status.Uid);
            record.Write(status.Gid);
        }

        if (status.Kind is FileKind.CharacterDevice or FileKind.BlockDevice)
        {
            record.Write((byte)'d');
            record.Write(status.RdevMajor);
            record.Write(status.RdevMinor);
        }

        if (role == SourceEntryRole.Symlink)
        {
            record.Write((byte)'l');
            record.Write(linkTarget ?? "");
        }

        if (hardlinkTo is not null)
        {
            record.Write((byte)'h');
            record.Write(hardlinkTo);
        }

        foreach (var (name, value) in observed.Xattrs.OrderBy(x => x.Name, StringComparer.Ordinal))
        {
            record.Write((byte)'x');
            record.Write(name);
            record.Write(value.Length);
            record.Write(value);
        }

        if (observed.Content is { } content)
        {
            record.Write((byte)'c');
            record.Write(content);
        }
    }

    /// <summary>The digest of a whole source list: SHA-256 over each path and entry digest, in order, each field length-prefixed.</summary>
    public static Digest OfList(IEnumerable<SourceFileDigest> files)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var buffer = new MemoryStream();
        using var record = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true);
        foreach (var file in files)
        {
            buffer.SetLength(0);
            record.Write(file.Path);
            record.Write(file.Digest.ToString());
            record.Flush();
            hash.AppendData(buffer.GetBuffer(), 0, (int)buffer.Length);
        }

        return Digest.FromSha256Hash(hash.GetHashAndReset());
    }
}

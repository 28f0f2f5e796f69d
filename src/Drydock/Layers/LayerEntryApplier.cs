using System.Buffers;
using System.Formats.Tar;
using System.Runtime.Versioning;
using System.Text;
using Drydock.Foundation.Paths;
using Drydock.Native;
using Microsoft.Win32.SafeHandles;

namespace Drydock.Layers;

/// <summary>
/// Applies one layer's tar entries to a root file system, and holds the state of doing so: what the
/// layer added (for opaque directories) and what it left to finish. <see cref="LayerExtractor"/> feeds it.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class LayerEntryApplier(string root, LayerExtractOptions options, PaxXattrObserver rawXattrs)
{
    private const string WhiteoutPrefix = ".wh.";
    private const string OpaqueMarker = ".wh..wh..opq";
    private const string XattrPrefix = "SCHILY.xattr.";
    private const int CopyBufferSize = 128 * 1024;
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode ImplicitDirectoryMode = OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    // Host paths this layer created or wrote, with their ancestors: what an opaque directory keeps.
    private readonly HashSet<string> _added = new(StringComparer.Ordinal);

    // Directory modes and times wait for the end of the layer: writing children changes a directory's
    // mtime, and a read-only mode would stop a non-root extraction from filling it.
    private readonly Dictionary<string, (UnixFileMode Mode, FileTime Access, FileTime Modification)> _directories = new(StringComparer.Ordinal);
    // Image directory → its resolved, existing host directory. Only a removal can make an entry
    // stale (a directory on the way replaced by a link), so every removal clears it.
    private readonly Dictionary<string, string> _resolvedDirectories = new(StringComparer.Ordinal);
    private bool _ownershipRefused;
    private long _entriesRead;

    public long Entries { get; private set; }

    public int Warnings { get; private set; }

    public async Task ApplyAsync(TarEntry entry, CancellationToken cancellationToken)
    {
        try
        {
            await ApplyCoreAsync(entry, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"Layer entry '{entry.Name}': {e.Message}", e);
        }
    }

    /// <summary>Applies the deferred directory modes and times, deepest first.</summary>
    public void Finish()
    {
        foreach (var (path, (mode, access, modification)) in _directories.OrderByDescending(d => d.Key.Length))
        {
            if (NativeFiles.TryLstat(path, out var status) && status.Kind == FileKind.Directory)
            {
                NativeFiles.Chmod(path, mode);
                NativeFiles.SetTimes(path, access, modification);
            }
        }

        _directories.Clear();
    }

    private async Task ApplyCoreAsync(TarEntry entry, CancellationToken cancellationToken)
    {
        _entriesRead++;
        if (entry.EntryType is TarEntryType.GlobalExtendedAttributes or TarEntryType.ExtendedAttributes
            or TarEntryType.LongLink or TarEntryType.LongPath)
        {
            return;
        }

        CheckAccepted(entry);

        // A sparse file's map is read (and refused if malformed) before anything is touched, and
        // its real name stands in for the made-up one in the header, for everything below.
        GnuSparseFile? sparse = null;
        if (GnuSparseFile.IsSparse(entry))
        {
            sparse = await GnuSparseFile.ReadAsync((PaxTarEntry)entry, cancellationToken).ConfigureAwait(false);
            if (sparse is null)
            {
                Warn(entry, "is a GNU sparse file in an encoding that is not supported; skipped");
                return;
            }
        }

        var path = ImagePaths.CleanEntryName(sparse?.Name ?? entry.Name, out var clampedName);
        if (clampedName)
        {
            Warn(entry, $"is absolute or climbs above the root; applied inside the root as '{path}'");
        }

        var name = ImagePaths.Name(path);
        if (options.ApplyWhiteouts && path != "/" && name.StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
        {
            ApplyWhiteout(entry, path, name);
            return;
        }

        Entries++;
        if (path == "/")
        {
            ApplyRootEntry(entry);
            return;
        }

        var parent = ImagePaths.Parent(path);
        var parentExists = _resolvedDirectories.TryGetValue(parent, out var cachedParent);
        var hostParent = cachedParent ?? "";
        if (!parentExists)
        {
            hostParent = RootedPath.Resolve(root, parent, followLast: true, out var clampedLink);
            if (clampedLink)
            {
                Warn(entry, "lies under a symlink that climbs above the root; kept inside the root");
            }
        }

        var target = ImagePaths.HostChild(hostParent, name);
        if (options.IgnoredPaths.Covers(ImagePaths.FromHost(root, target)))
        {
            return;
        }

        var kind = KindOf(entry.EntryType);
        if (kind == FileKind.Unknown)
        {
            Warn(entry, $"has type {entry.EntryType}, which is not supported; skipped");
            return;
        }

        string? linkSource = null;
        if (entry.EntryType == TarEntryType.HardLink)
        {
            linkSource = ResolveHardlinkSource(entry);
            if (linkSource is null || linkSource == target)
            {
                return;
            }
        }

        if (!parentExists)
        {
            EnsureDirectory(hostParent, entry);
            _resolvedDirectories[parent] = hostParent;
        }

        if (NativeFiles.TryLstat(target, out var existing) && !(kind == FileKind.Directory && existing.Kind == FileKind.Directory))
        {
            // Unlink first: nothing is ever written through whatever stood here (a symlink above all).
            if (!RemoveTree(target))
            {
                Warn(entry, "would replace a directory holding ignored paths; skipped");
                return;
            }
        }

        if (!await CreateAsync(entry, kind, target, linkSource, sparse, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        MarkAdded(target);
        if (linkSource is null && kind != FileKind.RegularFile)
        {
            ApplyMetadata(entry, kind, target, null);
        }
    }

    private async Task<bool> CreateAsync(TarEntry entry, FileKind kind, string target, string? linkSource, GnuSparseFile? sparse, CancellationToken cancellationToken)
    {
        if (linkSource is not null)
        {
            NativeFiles.Link(linkSource, target);
            return true;
        }

        switch (kind)
        {
            case FileKind.RegularFile:
                using (var file = NativeFiles.CreateExclusive(target, UnixFileMode.UserRead | UnixFileMode.UserWrite))
                {
                    if (sparse is not null)
                    {
                        await sparse.WriteAsync(entry.DataStream ?? Stream.Null, file, cancellationToken).ConfigureAwait(false);
                    }
                    else if (entry.DataStream is not null)
                    {
                        var written = await CopyToFileAsync(entry.DataStream, file, cancellationToken).ConfigureAwait(false);

                        // A truncated archive (gzip does not notice) can end inside an entry's data.
                        if (written != entry.Length)
                        {
                            throw new InvalidDataException($"the archive ends inside the data of '{entry.Name}' ({written} of {entry.Length} bytes): it is truncated");
                        }
                    }

                    // Metadata goes on through the open descriptor: no second lookup of the path.
                    ApplyMetadata(entry, kind, target, file);
                }

                return true;
            case FileKind.Directory:
                if (!NativeFiles.TryLstat(target, out _))
                {
                    Directory.CreateDirectory(target, OwnerOnly);
                }

                return true;
            case FileKind.SymbolicLink:
                if (string.IsNullOrEmpty(entry.LinkName))
                {
                    Warn(entry, "is a symlink without a target; skipped");
                    return false;
                }

                File.CreateSymbolicLink(target, entry.LinkName);
                return true;
            case FileKind.Fifo:
                NativeFiles.MakeFifo(target, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                return true;
            default:
                return CreateDevice(entry, kind, target);
        }
    }

    // Reads may wait on the network; writes go straight to the page cache, where offloading each
    // one to the thread pool (what FileStream.WriteAsync does on Linux) costs more than the write.
    private static async Task<long> CopyToFileAsync(Stream data, SafeFileHandle file, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            long offset = 0;
            int read;
            while ((read = await data.ReadAsync(buffer.AsMemory(0, CopyBufferSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                RandomAccess.Write(file, buffer.AsSpan(0, read), offset);
                offset += read;
            }

            return offset;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // Refusals end the extraction: the archive as a whole is unacceptable, not just this entry.
    private void CheckAccepted(TarEntry entry)
    {
        if (options.RefuseDeviceNodes && entry.EntryType is TarEntryType.CharacterDevice or TarEntryType.BlockDevice)
        {
            throw new InvalidDataException($"entry '{entry.Name}' is a device node, which is refused here");
        }

        if (options.MaxEntrySize is { } max && entry.Length > max)
        {
            throw new InvalidDataException($"entry '{entry.Name}' declares {entry.Length} bytes, more than the {max} bytes this extraction allows");
        }
    }

    private bool CreateDevice(TarEntry entry, FileKind kind, string target)
    {
        if (!options.CreateDeviceNodes)
        {
            Warn(entry, "is a device node and device nodes are not created; skipped");
            return false;
        }

        if (entry is not PosixTarEntry posix)
        {
            Warn(entry, "is a device node without device numbers; skipped");
            return false;
        }

        try
        {
            NativeFiles.MakeNode(target, kind, UnixFileMode.UserRead | UnixFileMode.UserWrite, (uint)posix.DeviceMajor, (uint)posix.DeviceMinor);
            return true;
        }
        catch (NativeFilesException e) when (e.IsNotPermitted)
        {
            Warn(entry, $"is a device node and creating it is not permitted ({e.Message}); skipped");
            return false;
        }
    }

    private void ApplyMetadata(TarEntry entry, FileKind kind, string target, SafeFileHandle? file)
    {
        if (options.PreserveOwnership && !_ownershipRefused)
        {
            try
            {
                if (file is null)
                {
                    NativeFiles.Lchown(target, (uint)entry.Uid, (uint)entry.Gid);
                }
                else
                {
                    NativeFiles.Chown(file, target, (uint)entry.Uid, (uint)entry.Gid);
                }
            }
            catch (NativeFilesException e) when (e.IsNotPermitted)
            {
                _ownershipRefused = true;
                Warn(entry, $"cannot be given its owner ({e.Message}); all entries keep the extracting user's ids");
            }
        }

        // After chown, which clears security.capability, and before chmod, which clears nothing.
        if (options.ApplyXattrs && entry is PaxTarEntry pax)
        {
            ApplyXattrs(pax, target, file);
        }

        var modification = PaxTime(entry, "mtime") ?? FileTime.FromDateTimeOffset(entry.ModificationTime);
        var access = PaxTime(entry, "atime") ?? modification;
        if (kind == FileKind.Directory)
        {
            _directories[target] = (entry.Mode, access, modification);
            return;
        }

        // chmod comes after chown, which clears setuid and setgid. Symlinks have no mode.
        if (file is not null)
        {
            NativeFiles.Chmod(file, target, entry.Mode);
            NativeFiles.SetTimes(file, target, access, modification);
            return;
        }

        if (kind != FileKind.SymbolicLink)
        {
            NativeFiles.Chmod(target, entry.Mode);
        }

        NativeFiles.SetTimes(target, access, modification);
    }

    private void ApplyXattrs(PaxTarEntry entry, string target, SafeFileHandle? file)
    {
        // The observer's raw bytes belong to this entry only if it has seen exactly as many entries.
        var raw = rawXattrs.EntriesBegun == _entriesRead ? rawXattrs.CurrentXattrs : null;
        foreach (var (key, value) in entry.ExtendedAttributes)
        {
            if (!key.StartsWith(XattrPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var name = key[XattrPrefix.Length..];

            // overlayfs reads its own xattrs (redirects, opaque markers) from lower directories:
            // a layer must never be able to plant them.
            if (name.StartsWith("trusted.overlay.", StringComparison.Ordinal) || name.StartsWith("user.overlay.", StringComparison.Ordinal))
            {
                Warn(entry, $"carries the overlayfs xattr '{name}'; refused");
                continue;
            }

            // System.Formats.Tar decodes PAX values as UTF-8, so a binary value arrives damaged
            // there; the observer's raw bytes are used instead.
            byte[] bytes;
            if (raw is not null && raw.TryGetValue(name, out var rawValue))
            {
                bytes = rawValue;
            }
            else if (value.Contains('\uFFFD', StringComparison.Ordinal))
            {
                Warn(entry, $"carries a binary value for xattr '{name}' that cannot be read intact; skipped");
                continue;
            }
            else
            {
                bytes = Encoding.UTF8.GetBytes(value);
            }

            try
            {
                if (file is null)
                {
                    NativeFiles.SetXattr(target, name, bytes);
                }
                else
                {
                    NativeFiles.SetXattr(file, target, name, bytes);
                }
            }
            catch (NativeFilesException e) when (e.IsNotPermitted)
            {
                Warn(entry, $"xattr '{name}' is not permitted here ({e.Message}); skipped");
            }
        }
    }

    private void ApplyRootEntry(TarEntry entry)
    {
        if (entry.EntryType != TarEntryType.Directory)
        {
            Warn(entry, "names the root but is not a directory; skipped");
            return;
        }

        ApplyMetadata(entry, FileKind.Directory, root, null);
    }

    private void ApplyWhiteout(TarEntry entry, string path, string name)
    {
        var hostDirectory = RootedPath.Resolve(root, ImagePaths.Parent(path), followLast: true, out var clampedLink);
        if (clampedLink)
        {
            Warn(entry, "lies under a symlink that climbs above the root; kept inside the root");
        }

        if (name == OpaqueMarker)
        {
            if (NativeFiles.TryLstat(hostDirectory, out var status) && status.Kind == FileKind.Directory)
            {
                RemoveLowerChildren(hostDirectory);
                MarkAdded(hostDirectory);
            }

            return;
        }

        var victim = name[WhiteoutPrefix.Length..];
        if (victim.StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
        {
            // Other AUFS bookkeeping (.wh..wh.plnk, .wh..wh.aufs) means nothing outside AUFS.
            return;
        }

        if (victim is "" or "." or "..")
        {
            Warn(entry, "is a whiteout of '.' or '..'; refused");
            return;
        }

        var target = ImagePaths.HostChild(hostDirectory, victim);
        if (options.IgnoredPaths.Covers(ImagePaths.FromHost(root, target)))
        {
            Warn(entry, "is a whiteout of an ignored path; refused");
            return;
        }

        // A whiteout hides lower layers only, never what this same layer put there.
        if (_added.Contains(target))
        {
            return;
        }

        if (!RemoveTree(target))
        {
            Warn(entry, "is a whiteout of a directory holding ignored paths; those are kept");
        }
    }

    private string? ResolveHardlinkSource(TarEntry entry)
    {
        // Link names are taken from the archive root whether or not they start with "/"; only a
        // ".." above the root is suspicious.
        var linkPath = ImagePaths.CleanEntryName(entry.LinkName.TrimStart('/'), out var climbs);
        if (climbs)
        {
            Warn(entry, $"links to '{entry.LinkName}', which climbs above the root; resolved inside the root as '{linkPath}'");
        }

        var source = RootedPath.Resolve(root, linkPath, followLast: false, out var clampedLink);
        if (clampedLink)
        {
            Warn(entry, "links through a symlink that climbs above the root; resolved inside the root");
        }

        if (options.IgnoredPaths.Covers(ImagePaths.FromHost(root, source)))
        {
            Warn(entry, $"links to the ignored path '{linkPath}'; refused");
            return null;
        }

        if (!NativeFiles.TryLstat(source, out var status))
        {
            Warn(entry, $"links to '{linkPath}', which does not exist; skipped");
            return null;
        }

        if (status.Kind == FileKind.Directory)
        {
            Warn(entry, $"links to the directory '{linkPath}'; refused");
            return null;
        }

        return source;
    }

    // Creates missing directories from the root down; the resolved path holds no symlinks.
    private void EnsureDirectory(string hostDirectory, TarEntry entry)
    {
        if (NativeFiles.TryLstat(hostDirectory, out var status) && status.Kind == FileKind.Directory)
        {
            return;
        }

        var current = root;
        foreach (var part in ImagePaths.FromHost(root, hostDirectory).Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            current = ImagePaths.HostChild(current, part);
            if (!NativeFiles.TryLstat(current, out status))
            {
                Directory.CreateDirectory(current);
                NativeFiles.Chmod(current, ImplicitDirectoryMode);
                MarkAdded(current);
            }
            else if (status.Kind != FileKind.Directory)
            {
                throw new InvalidDataException(
                    $"Layer entry '{entry.Name}' needs '{ImagePaths.FromHost(root, current)}' to be a directory, but it is a {status.Kind}.");
            }
        }
    }

    // Opaque directory: everything from lower layers goes, what this layer added stays.
    private void RemoveLowerChildren(string hostDirectory)
    {
        foreach (var child in Directory.EnumerateFileSystemEntries(hostDirectory).ToArray())
        {
            if (!_added.Contains(child))
            {
                RemoveTree(child);
            }
            else if (NativeFiles.TryLstat(child, out var status) && status.Kind == FileKind.Directory)
            {
                RemoveLowerChildren(child);
            }
        }
    }

    /// <summary>Removes a path and, for a real directory, all beneath it; never follows a symlink. False when ignored paths were kept.</summary>
    private bool RemoveTree(string hostPath)
    {
        if (hostPath == root || !hostPath.StartsWith(root, StringComparison.Ordinal))
        {
            return false;
        }

        if (options.IgnoredPaths.Covers(ImagePaths.FromHost(root, hostPath)))
        {
            return false;
        }

        if (!NativeFiles.TryLstat(hostPath, out var status))
        {
            return true;
        }

        _resolvedDirectories.Clear();
        if (status.Kind != FileKind.Directory)
        {
            File.Delete(hostPath);
            return true;
        }

        var complete = true;
        foreach (var child in Directory.EnumerateFileSystemEntries(hostPath).ToArray())
        {
            complete &= RemoveTree(child);
        }

        if (complete)
        {
            Directory.Delete(hostPath);
        }

        return complete;
    }

    private void MarkAdded(string hostPath)
    {
        for (var path = hostPath; path.Length > root.Length && _added.Add(path); path = Path.GetDirectoryName(path)!)
        {
        }
    }

    private static FileKind KindOf(TarEntryType type) => type switch
    {
        TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile => FileKind.RegularFile,
        TarEntryType.HardLink => FileKind.RegularFile,
        TarEntryType.Directory => FileKind.Directory,
        TarEntryType.SymbolicLink => FileKind.SymbolicLink,
        TarEntryType.CharacterDevice => FileKind.CharacterDevice,
        TarEntryType.BlockDevice => FileKind.BlockDevice,
        TarEntryType.Fifo => FileKind.Fifo,
        _ => FileKind.Unknown,
    };

    // DateTimeOffset keeps 100 ns; the PAX record itself keeps nanoseconds.
    private static FileTime? PaxTime(TarEntry entry, string key) =>
        entry is PaxTarEntry pax && pax.ExtendedAttributes.TryGetValue(key, out var text) && FileTime.TryParsePax(text, out var time)
            ? time
            : null;

    private void Warn(TarEntry entry, string message)
    {
        Warnings++;
        options.Warn?.Invoke($"Layer entry '{entry.Name}' {message}.");
    }
}

using Drydock.Oci;

namespace Drydock.Building;

/// <summary>
/// The private directory a build works in: the stage's root filesystem and a blob store for base
/// and built layers. It is removed when the build ends unless the user chose its location.
/// </summary>
public sealed class WorkDirectory : IDisposable
{
    private readonly bool _owned;

    private WorkDirectory(string path, bool owned, BlobDirectory? blobs = null)
    {
        Path = path;
        _owned = owned;
        Blobs = blobs ?? new BlobDirectory(System.IO.Path.Combine(path, "blobs"));
        Directory.CreateDirectory(Blobs.Root);
    }

    public string Path { get; }

    public BlobDirectory Blobs { get; }

    /// <param name="location">The directory the user chose, kept afterwards; null for a fresh one, removed afterwards.</param>
    /// <param name="parent">Where a fresh one is made; null means the temporary directory.</param>
    public static WorkDirectory Create(string? location, string? parent = null)
    {
        if (location is not null)
        {
            Directory.CreateDirectory(location);
            return new WorkDirectory(System.IO.Path.GetFullPath(location), owned: false);
        }

        if (parent is null)
        {
            return new WorkDirectory(Directory.CreateTempSubdirectory("drydock-").FullName, owned: true);
        }

        var path = System.IO.Path.Combine(System.IO.Path.GetFullPath(parent), "drydock-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return new WorkDirectory(path, owned: true);
    }

    /// <summary>
    /// A directory of its own inside this one (one per platform of a multi-platform build), sharing
    /// this one's blob store: blobs are content-addressed, so a base layer pulled once serves all.
    /// It goes when this one goes.
    /// </summary>
    public WorkDirectory Subdirectory(string name)
    {
        var path = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(path);
        return new WorkDirectory(path, owned: false, Blobs);
    }

    /// <summary>A fresh, empty root filesystem directory for a stage.</summary>
    public string NewRootfs(string name)
    {
        var path = System.IO.Path.Combine(Path, "rootfs-" + name);
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }

        Directory.CreateDirectory(path);
        return path;
    }

    public void Dispose()
    {
        if (_owned && Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}

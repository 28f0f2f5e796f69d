namespace Drydock.Oci;

/// <summary>
/// A blob being written whose digest is known only once it is whole (a layer as it is compressed):
/// it fills a temporary file inside the <see cref="BlobDirectory"/>, so the move under its digest
/// stays on one file system, and a blob that is never committed leaves nothing behind.
/// </summary>
public sealed class PendingBlob : IAsyncDisposable
{
    private readonly BlobDirectory _directory;
    private readonly string _temporary;
    private bool _committed;

    internal PendingBlob(BlobDirectory directory)
    {
        _directory = directory;
        Directory.CreateDirectory(directory.Root);
        _temporary = Path.Combine(directory.Root, $".blob-{Guid.NewGuid():N}.tmp");

        // Unbuffered: the writers above buffer already, and a follower reads what is in the file.
        File = new FileStream(_temporary, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, BufferSize = 0 });
    }

    /// <summary>The file to write the blob into.</summary>
    public FileStream File { get; }

    /// <summary>Closes the file and moves it under <paramref name="digest"/>; returns the blob's path.</summary>
    public async Task<string> CommitAsync(Digest digest)
    {
        await File.DisposeAsync().ConfigureAwait(false);
        var path = _directory.PathOf(digest);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.Move(_temporary, path, overwrite: true);
        _committed = true;
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        await File.DisposeAsync().ConfigureAwait(false);
        if (!_committed)
        {
            System.IO.File.Delete(_temporary);
        }
    }
}

namespace Drydock.Oci;

/// <summary>A content-addressed blob folder laid out as OCI's blobs/ALGORITHM/HEX.</summary>
public sealed class BlobDirectory(string root)
{
    public string Root { get; } = root;

    public string PathOf(Digest digest) => Path.Combine(Root, digest.Algorithm, digest.Hex);

    /// <summary>Opens a blob; reading it to the end verifies its size and digest.</summary>
    public Stream OpenVerified(Descriptor descriptor, string what) =>
        new VerifyingStream(OpenRead(PathOf(descriptor.Digest)), descriptor.Digest, descriptor.Size, what);

    /// <summary>Reads a small blob (a manifest, an index, a config) whole, verified.</summary>
    public Task<byte[]> ReadVerifiedAsync(Descriptor descriptor, long limit, string what, CancellationToken cancellationToken) =>
        SmallBlobs.ReadVerifiedAsync(OpenRead(PathOf(descriptor.Digest)), descriptor, limit, what, cancellationToken);

    /// <summary>Starts a blob whose digest is known only once it is written; commit it under that digest.</summary>
    public PendingBlob Create() => new(this);

    /// <summary>Writes the manifest, the config and every layer of an image, skipping blobs already present.</summary>
    public async Task WriteImageAsync(IImage image, CancellationToken cancellationToken)
    {
        await WriteBytesAsync(image.ManifestDigest, image.RawManifest, cancellationToken).ConfigureAwait(false);
        await WriteBytesAsync(image.Manifest.Config.Digest, image.RawConfig, cancellationToken).ConfigureAwait(false);
        foreach (var layer in image.Layers)
        {
            var path = PathOf(layer.Descriptor.Digest);
            if (File.Exists(path))
            {
                continue;
            }

            var source = await layer.OpenCompressedAsync(cancellationToken).ConfigureAwait(false);
            await using (source.ConfigureAwait(false))
            {
                await WriteStreamAsync(path, source, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async Task WriteBytesAsync(Digest digest, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var path = PathOf(digest);
        if (!File.Exists(path))
        {
            await WriteAtomicallyAsync(path, (target, token) => target.WriteAsync(data, token).AsTask(), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Copies a stream into place through a temporary file, so an interrupted copy (or one whose
    /// verification fails at the end) never leaves a partial blob under its digest.
    /// </summary>
    public static Task WriteStreamAsync(string path, Stream source, CancellationToken cancellationToken) =>
        WriteAtomicallyAsync(path, (target, token) => source.CopyToAsync(target, 1 << 16, token), cancellationToken);

    /// <summary>
    /// Writes a file through a temporary one of its own, renamed into place: readers see the whole
    /// file or none, and two writers of one blob (two builds or warmers sharing a directory) never
    /// write into each other's temporary file.
    /// </summary>
    public static async Task WriteAtomicallyAsync(string path, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = $"{path}.{Guid.NewGuid():N}.partial";
        try
        {
            var target = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            await using (target.ConfigureAwait(false))
            {
                await write(target, cancellationToken).ConfigureAwait(false);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Opens a blob file for one sequential, asynchronous read.</summary>
    internal static FileStream OpenRead(string path) => new(path, new FileStreamOptions
    {
        Mode = FileMode.Open,
        Access = FileAccess.Read,
        Share = FileShare.Read,
        Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
    });
}

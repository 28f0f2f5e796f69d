using Drydock.Context.Remote;
using Drydock.Foundation.Paths;

namespace Drydock.Context;

/// <summary>
/// Opens any <see cref="ContextSource"/> as a <see cref="DirectoryContext"/>: a local directory
/// is used where it is; every other kind is first made a directory in the build's work
/// directory (an archive fetched to a file and unpacked, a repository checked out), deleted
/// when the context is disposed. A source fetched as an archive (standard input, http, a bucket)
/// only has to bring a local file: unpacking, the sub-path and .dockerignore are shared.
/// </summary>
public static class BuildContextOpener
{
    private const string UnpackedName = "context";

    /// <param name="source">The context.</param>
    /// <param name="dockerfile">The --dockerfile value (see <see cref="DirectoryContext.OpenAsync"/>).</param>
    /// <param name="workDirectory">The build's private directory, where a context that is not a local directory is unpacked.</param>
    /// <param name="environment">Looks up an environment variable (a git context's credentials and pull method).</param>
    /// <param name="warn">Told about archive entries clamped into the context or skipped.</param>
    /// <param name="cancellationToken">Cancels fetching and unpacking.</param>
    /// <exception cref="BuildContextException">The context cannot be had; the message names it and the cause.</exception>
    public static async Task<DirectoryContext> OpenAsync(
        ContextSource source, string? dockerfile, string workDirectory, Func<string, string?> environment, Action<string>? warn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(environment);
        if (source.Kind == ContextKind.Directory)
        {
            // A missing context directory is DirectoryContext's to report; a missing sub-path is ours.
            var directory = source.SubPath is not null && Directory.Exists(source.Location) ? SubDirectory(source, Path.GetFullPath(source.Location)) : source.Location;
            return await DirectoryContext.OpenAsync(directory, dockerfile, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        var unpacked = Path.Combine(workDirectory, UnpackedName);
        if (Directory.Exists(unpacked))
        {
            Directory.Delete(unpacked, recursive: true);
        }

        try
        {
            await FillAsync(source, unpacked, workDirectory, environment, warn, cancellationToken).ConfigureAwait(false);
            var root = source.SubPath is null ? unpacked : SubDirectory(source, unpacked);
            try
            {
                return await DirectoryContext.OpenAsync(root, dockerfile, workingDirectory: null, ownedDirectory: unpacked, cancellationToken).ConfigureAwait(false);
            }
            catch (BuildContextException e)
            {
                // Its paths are in the work directory, which the user never named: say which context.
                throw new BuildContextException($"build context {source.Shown}: {e.Message}", e);
            }
        }
        catch
        {
            if (Directory.Exists(unpacked))
            {
                Directory.Delete(unpacked, recursive: true);
            }

            throw;
        }
    }

    private static async Task FillAsync(
        ContextSource source, string directory, string workDirectory, Func<string, string?> environment, Action<string>? warn, CancellationToken cancellationToken)
    {
        switch (source.Kind)
        {
            case ContextKind.Git:
                await GitContext.CheckoutAsync(source, directory, environment, cancellationToken).ConfigureAwait(false);
                return;
            case ContextKind.Tar:
                var archive = Path.GetFullPath(source.Location);
                if (!File.Exists(archive))
                {
                    throw new BuildContextException($"build context archive {archive} not found: give tar://PATH with an existing tar archive (plain, gzip, bzip2, xz or zstd)");
                }

                await ContextArchive.ExtractAsync(archive, source.Shown, directory, warn, cancellationToken).ConfigureAwait(false);
                return;
            case ContextKind.StandardInput:
            case ContextKind.Http:
            case ContextKind.Bucket:
                var fetched = await FetchAsync(source, workDirectory, environment, cancellationToken).ConfigureAwait(false);
                try
                {
                    await ContextArchive.ExtractAsync(fetched, source.Shown, directory, warn, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    File.Delete(fetched);
                }

                return;
            default:
                throw new ArgumentOutOfRangeException(nameof(source), source.Kind, "Unknown context kind.");
        }
    }

    // Brings an archive to a local file in the work directory (the caller deletes it).
    private static async Task<string> FetchAsync(ContextSource source, string workDirectory, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        if (source.Kind == ContextKind.Bucket)
        {
            // Parse gives a bucket context its object; a caller that built the source itself may not have.
            var bucket = source.Bucket ?? (BucketContext.TryParse(source.Location, out var parsed)
                ? parsed
                : throw new BuildContextException($"build context {source.Location} is no bucket URL: write s3://BUCKET/KEY, gs://BUCKET/PATH or an Azure Blob URL"));
            var downloaded = Path.Combine(workDirectory, "context-bucket.tar");
            await BucketContext.DownloadAsync(bucket, downloaded, environment, cancellationToken).ConfigureAwait(false);
            return downloaded;
        }

        if (source.Kind == ContextKind.Http)
        {
            try
            {
                return (await AddDownload.DownloadAsync(new Uri(source.Location), workDirectory, expected: null, cancellationToken).ConfigureAwait(false)).Path;
            }
            catch (HttpRequestException e)
            {
                var cause = e.StatusCode is { } status ? $"the server answered {(int)status} {status}" : e.Message.TrimEnd('.');
                throw new BuildContextException($"cannot download build context {source.Shown}: {cause}; check the URL", e);
            }
        }

        var input = source.StandardInput
            ?? throw new BuildContextException("build context tar://stdin: this build was given no standard input to read");
        var path = Path.Combine(workDirectory, "context-stdin.tar");
        try
        {
            var stream = input();
            await using (stream.ConfigureAwait(false))
            {
                var file = Foundation.Streams.NewFile.Create(path);
                await using (file.ConfigureAwait(false))
                {
                    await stream.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (IOException e)
        {
            File.Delete(path);
            throw new BuildContextException($"cannot read build context tar://stdin: {e.Message}", e);
        }

        return path;
    }

    // kaniko joins the sub-path to the context; here it is resolved inside it, links included.
    private static string SubDirectory(ContextSource source, string root)
    {
        var directory = RootedPath.Resolve(root, source.SubPath!);
        return Directory.Exists(directory)
            ? directory
            : throw new BuildContextException($"build context {source.Shown} has no directory {source.SubPath} (the context sub-path)");
    }
}

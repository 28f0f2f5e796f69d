using Drydock.Building.Copy;
using Drydock.Context.Remote;
using Drydock.Context;
using Drydock.Dockerfile;
using Drydock.Oci;

namespace Drydock.Building.Steps;

/// <summary>
/// ADD: what COPY does with local sources and heredocs, plus local tar archives unpacked into
/// the destination (plain or gzip; <c>--unpack=false</c> adds them as files) and http(s) URLs
/// downloaded (mode 0600, mtime from Last-Modified, <c>--checksum</c> verified, unpacked only
/// with <c>--unpack=true</c>), and git repositories checked out (<see cref="GitCheckout"/>) and
/// copied in like a directory of the context, owned by 0:0 unless <c>--chown</c>.
/// </summary>
/// <remarks>
/// Dispatched through <see cref="CopyStep"/>, and writing through the same <see cref="CopyTarget"/>.
/// <c>--link</c> is accepted and changes nothing, for the reason <see cref="CopyStep"/> gives.
/// </remarks>
internal static class AddStep
{
    private const UnixFileMode DownloadMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <param name="add">The instruction, expanded.</param>
    /// <param name="context">The build context.</param>
    /// <param name="state">The stage so far (for WORKDIR).</param>
    /// <param name="rootfs">The stage's root filesystem.</param>
    /// <param name="work">Where downloads wait until they are checked.</param>
    /// <param name="log">Told about downloads and about archive entries that needed care.</param>
    /// <param name="sshAuthSocket">The ssh agent git sources are fetched with (<c>--ssh default=…</c>); null for the process's own.</param>
    /// <param name="cancellationToken">Stops downloads and copies.</param>
    public static async Task AddAsync(
        AddInstruction add, IFileSource context, StageState state, string rootfs, WorkDirectory work, IBuildLog log, string? sshAuthSocket, CancellationToken cancellationToken)
    {
        var kinds = add.Sources.Select(AddSources.Classify).ToArray();
        var (httpChecksum, gitChecksum) = ParseChecksum(add, kinds);
        var gitCheckouts = add.Sources
            .Select((text, i) => kinds[i] == AddSourceKind.Git ? GitCheckoutOf(add, text, gitChecksum, sshAuthSocket) : default)
            .ToArray();
        var copyTarget = CopyTarget.Create(add, rootfs, add.Destination, add.Chown, add.Chmod, add.Excludes, state.Config.Config.WorkingDir, keepSourceOwners: false);
        var files = copyTarget.FilesFrom(context);
        var destination = copyTarget.Destination;
        var local = ResolveLocalSources(add, context, kinds);
        var target = new AddTarget(add, copyTarget, files, log);

        // Sources go in the order written: a later one overwrites an earlier one of the same name.
        for (var i = 0; i < add.Sources.Count; i++)
        {
            switch (kinds[i])
            {
                case AddSourceKind.Http:
                    await AddUrlAsync(target, add.Sources[i], Path.Combine(work.Path, "downloads"), httpChecksum, cancellationToken).ConfigureAwait(false);
                    continue;
                case AddSourceKind.Git:
                    var (source, options) = gitCheckouts[i];
                    await AddGitAsync(target, source, Path.Combine(work.Path, "git"), options, cancellationToken).ConfigureAwait(false);
                    continue;
            }

            foreach (var source in local[i])
            {
                // Only a file named as a source is unpacked, never one found inside a directory source.
                var unpacked = !source.IsDirectory && (add.Unpack ?? true) && !files.IsExcluded(source)
                    && await target.TryUnpackAsync(source.Entry.FullPath, source.Source, cancellationToken).ConfigureAwait(false);
                if (!unpacked)
                {
                    files.Copy(source, destination, cancellationToken);
                }
            }
        }

        await files.WriteInlineAsync(add.InlineSources, destination, cancellationToken).ConfigureAwait(false);
    }

    private static async Task AddUrlAsync(AddTarget target, string text, string downloads, Digest? checksum, CancellationToken cancellationToken)
    {
        var add = target.Add;
        var shown = AddSources.Display(text);
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url))
        {
            throw Fail(add, $"{shown} is not a valid URL");
        }

        target.Log.Info($"Downloading {shown}");
        DownloadedFile file;
        try
        {
            file = await AddDownload.DownloadAsync(url, downloads, checksum, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e) when (e.StatusCode is null)
        {
            throw Fail(add, $"cannot download {shown}: {e.Message}; check the address and that this host can reach it (HTTP_PROXY, HTTPS_PROXY and NO_PROXY are honoured)", e);
        }
        catch (Exception e) when (e is HttpRequestException or InvalidDataException)
        {
            throw Fail(add, e.Message, e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw Fail(add, $"cannot download {shown}: the connection timed out; check the address and that this host can reach it", e);
        }

        try
        {
            // BuildKit unpacks a remote archive only when asked to.
            if (add.Unpack == true && await target.TryUnpackAsync(file.Path, shown, cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            var content = new FileStream(file.Path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
            await using (content.ConfigureAwait(false))
            {
                var path = target.Files.TargetFor(target.Destination, file.FileName);
                await target.Writer.WriteFileAsync(path, content, DownloadMode, file.LastModified ?? DateTimeOffset.UtcNow, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            File.Delete(file.Path);
        }
    }

    private static async Task AddGitAsync(
        AddTarget target, GitSource source, string checkouts, GitCheckoutOptions options, CancellationToken cancellationToken)
    {
        target.Log.Info($"Fetching {source}");
        var checkout = Path.Combine(checkouts, "checkout-" + Guid.NewGuid().ToString("N"));
        try
        {
            var tree = FileSource.ForRootfs(await GitCheckout.CheckoutAsync(source, checkout, options, cancellationToken).ConfigureAwait(false));
            var files = target.Copy.FilesFrom(tree);
            foreach (var root in CopyFiles.Resolve(tree, "/", parents: false))
            {
                files.Copy(root, target.Destination, cancellationToken);
            }
        }
        catch (GitSourceException e)
        {
            throw Fail(target.Add, e.Message, e);
        }
        finally
        {
            if (Directory.Exists(checkout))
            {
                Directory.Delete(checkout, recursive: true);
            }
        }
    }

    /// <summary>
    /// Every local source expanded (<see cref="CopyFiles.ResolveAll"/>), at the index of the
    /// source as written; a URL or git source expands to nothing.
    /// </summary>
    /// <param name="add">The instruction, expanded.</param>
    /// <param name="context">The build context.</param>
    /// <param name="kinds">What each source is (<see cref="AddSources.Classify"/>).</param>
    /// <exception cref="BuildContextException">A local source names nothing.</exception>
    internal static IReadOnlyList<LocalSource>[] ResolveLocalSources(AddInstruction add, IFileSource context, AddSourceKind[] kinds)
    {
        var localTexts = add.Sources.Where((_, i) => kinds[i] == AddSourceKind.Local).ToArray();
        var hasOtherSources = localTexts.Length < add.Sources.Count || add.InlineSources.Count > 0;
        var resolved = new Queue<IReadOnlyList<LocalSource>>(CopyFiles.ResolveAll(context, localTexts, parents: false, hasOtherSources));
        return [.. kinds.Select(kind => kind == AddSourceKind.Local ? resolved.Dequeue() : [])];
    }

    /// <summary>A git source of the instruction parsed, with how it is checked out.</summary>
    /// <exception cref="BuildException">The URL is invalid, or its query disagrees with the ADD flags.</exception>
    internal static (GitSource Source, GitCheckoutOptions Options) GitCheckoutOf(AddInstruction add, string text, string? gitChecksum, string? sshAuthSocket) =>
        CheckoutOptions(add, ParseGit(add, text), gitChecksum, sshAuthSocket);

    /// <summary><c>--checksum</c>: a digest for a URL, a commit hash (or a prefix of one) for a git source.</summary>
    /// <exception cref="BuildException">The checksum is malformed, or given for local or several sources.</exception>
    internal static (Digest? Http, string? Git) ParseChecksum(AddInstruction add, AddSourceKind[] kinds)
    {
        if (string.IsNullOrEmpty(add.Checksum))
        {
            return (null, null);
        }

        if (add.Sources.Count + add.InlineSources.Count != 1)
        {
            throw Fail(add, "--checksum can't be specified for multiple sources; split the ADD into one per URL");
        }

        if (kinds.Length != 1 || kinds[0] == AddSourceKind.Local)
        {
            throw Fail(add, "--checksum requires an http(s) or git source: local files are not checked; drop --checksum or add a URL");
        }

        var text = add.Checksum;
        if (kinds[0] == AddSourceKind.Http)
        {
            return Digest.TryParse(text, out var digest)
                ? (digest, null)
                : throw Fail(add, $"invalid --checksum={text}: expected sha256:<64 lowercase hex digits> (or sha512:<128>)");
        }

        // BuildKit's checksum of a git source is the commit's hash, or a prefix of it.
        return text.All(char.IsAsciiHexDigit)
            ? (null, text.ToLowerInvariant())
            : throw Fail(add, $"invalid --checksum={text} for a git source: expected a commit hash (hex digits; a prefix is enough)");
    }

    private static GitSource ParseGit(AddInstruction add, string text)
    {
        try
        {
            return GitSource.Parse(text);
        }
        catch (FormatException e)
        {
            throw Fail(add, e.Message, e);
        }
    }

    /// <summary>
    /// How a source is checked out: its URL's <c>?keep-git-dir=</c> and <c>?checksum=</c> with the
    /// ADD flags of the same names, which BuildKit accepts together only when they agree.
    /// </summary>
    private static (GitSource Source, GitCheckoutOptions Options) CheckoutOptions(AddInstruction add, GitSource source, string? flagChecksum, string? sshAuthSocket)
    {
        if (add.KeepGitDir is { } flag && source.KeepGitDir is { } query && flag != query)
        {
            throw Fail(add, $"inconsistent keep-git-dir configuration: --keep-git-dir={Lower(flag)} but {source.Shown}?keep-git-dir={Lower(query)}; drop one of them");
        }

        if (flagChecksum is not null && source.Checksum is not null && flagChecksum != source.Checksum)
        {
            throw Fail(add, $"checksum mismatch: --checksum={flagChecksum} but {source.Shown}?checksum={source.Checksum}; drop one of them");
        }

        var keepGitDir = source.KeepGitDir ?? add.KeepGitDir ?? false;
        return (source, new GitCheckoutOptions(keepGitDir, source.Checksum ?? flagChecksum, source.Submodules, sshAuthSocket));

        static string Lower(bool value) => value ? "true" : "false";
    }

    private static BuildException Fail(AddInstruction add, string message, Exception? inner = null) =>
        new(add.Location, add.Keyword, message, inner);

    /// <summary>Where one ADD puts things, and how it unpacks archives there.</summary>
    private sealed class AddTarget(AddInstruction add, CopyTarget copy, CopyFiles files, IBuildLog log)
    {
        public AddInstruction Add { get; } = add;

        public CopyTarget Copy { get; } = copy;

        public RootfsWriter Writer => Copy.Writer;

        public CopyDestination Destination => Copy.Destination;

        public CopyFiles Files { get; } = files;

        public IBuildLog Log { get; } = log;

        /// <summary>
        /// Unpacks the file into the destination (a directory whatever its spelling, as in Docker)
        /// if it is a tar archive; false when it is not one and is to be added as a file.
        /// </summary>
        public async Task<bool> TryUnpackAsync(string path, string shown, CancellationToken cancellationToken)
        {
            var compression = await AddArchive.DetectAsync(path, cancellationToken).ConfigureAwait(false);
            if (compression is null)
            {
                return false;
            }

            var host = Writer.EnsureDirectory(Destination.Path);
            try
            {
                await AddArchive.ExtractAsync(path, compression.Value, host, Log, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException)
            {
                throw Fail(Add, $"cannot unpack {shown}: {e.Message.TrimEnd('.')}; repair the archive, or pass --unpack=false to add it as a file", e);
            }

            return true;
        }
    }
}

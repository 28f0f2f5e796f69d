using Drydock.Foundation.Paths;
using Drydock.Native;

namespace Drydock.Context.Remote;

/// <summary>How one git source is checked out.</summary>
/// <param name="KeepGitDir"><c>--keep-git-dir</c> or <c>?keep-git-dir=</c>: the checkout keeps its .git (only when the whole repository is added, as in BuildKit).</param>
/// <param name="Checksum"><c>--checksum</c> or <c>?checksum=</c>: a commit (or annotated tag) hash or a prefix of one, lowercase; null to take what the ref names.</param>
/// <param name="Submodules">Whether submodules are checked out too (<c>?submodules=false</c> leaves them out).</param>
/// <param name="SshAuthSocket">The ssh agent git may use (<c>--ssh default=…</c>); null for the process's own.</param>
/// <param name="SkipTlsVerify">Whether an https server's certificate goes unchecked (a git context's insecure-skip-tls).</param>
internal sealed record GitCheckoutOptions(bool KeepGitDir, string? Checksum, bool Submodules, string? SshAuthSocket, bool SkipTlsVerify = false);

/// <summary>
/// Checks a git source out into a directory with the host's git, as BuildKit's git source does:
/// the ref is looked up with ls-remote (a branch before a tag of the same name), only that commit
/// is fetched (depth 1), submodules are checked out too, and the commit must match
/// <c>--checksum</c>. Files get the modes git records (0644, or 0755 when executable) whatever
/// the umask; times are those of the checkout, as BuildKit leaves them.
/// </summary>
internal static class GitCheckout
{
    private const UnixFileMode Executable = (UnixFileMode)0b111_101_101;
    private const UnixFileMode Plain = (UnixFileMode)0b110_100_100;
    private const string HeadsPrefix = "refs/heads/";
    private const string TagsPrefix = "refs/tags/";

    /// <summary>Checks <paramref name="source"/> out into <paramref name="directory"/> (which must not exist) and returns the directory to add.</summary>
    /// <exception cref="GitSourceException">The repository cannot be reached, has no such ref or subdirectory, or does not match the checksum.</exception>
    public static async Task<string> CheckoutAsync(GitSource source, string directory, GitCheckoutOptions options, CancellationToken cancellationToken)
    {
        var git = new GitCommand(source.Remote, options.SshAuthSocket, options.SkipTlsVerify);
        Directory.CreateDirectory(directory);
        await git.RunCheckedAsync(directory, "git init", ["-c", "init.defaultBranch=master", "init", "-q"], cancellationToken).ConfigureAwait(false);
        await git.RunCheckedAsync(directory, $"cannot use {source.Shown} as a git remote", ["remote", "add", "origin", source.Remote], cancellationToken).ConfigureAwait(false);

        var refs = await ListRefsAsync(git, source, directory, "origin", cancellationToken).ConfigureAwait(false);
        var wanted = Wanted(source, refs);
        await FetchAsync(git, source, directory, wanted, cancellationToken).ConfigureAwait(false);
        var commit = (await git.RunCheckedAsync(directory, "git rev-parse", ["rev-parse", "FETCH_HEAD^{commit}"], cancellationToken).ConfigureAwait(false)).Trim();
        var fetched = (await git.RunCheckedAsync(directory, "git rev-parse", ["rev-parse", "FETCH_HEAD"], cancellationToken).ConfigureAwait(false)).Trim();
        if (options.Checksum is { } checksum && !commit.StartsWith(checksum, StringComparison.Ordinal) && !fetched.StartsWith(checksum, StringComparison.Ordinal))
        {
            throw new GitSourceException(
                $"checksum mismatch for {source}: expected a commit starting with {checksum}, got {commit}" + (fetched == commit ? "" : $" (tag {fetched})") +
                "; if the ref moved on purpose, update the checksum (--checksum or ?checksum=)");
        }

        await git.RunCheckedAsync(directory, $"cannot check out {commit} of {source.Shown}", ["-c", "advice.detachedHead=false", "checkout", "-q", "--detach", commit], cancellationToken).ConfigureAwait(false);
        if (options.Submodules && File.Exists(Path.Combine(directory, ".gitmodules")))
        {
            await git.RunCheckedAsync(directory, $"cannot check out the submodules of {source.Shown}", ["submodule", "update", "--init", "--recursive", "--depth=1"], cancellationToken).ConfigureAwait(false);
        }

        if (options.KeepGitDir && source.IsWholeRepository)
        {
            // What stays in the image must not hold the credentials or the fetch's leftovers.
            await git.RunCheckedAsync(directory, "git remote set-url", ["remote", "set-url", "origin", source.Shown], cancellationToken).ConfigureAwait(false);
            await git.RunCheckedAsync(directory, "git reflog expire", ["reflog", "expire", "--all", "--expire=now"], cancellationToken).ConfigureAwait(false);
            File.Delete(Path.Combine(directory, ".git", "FETCH_HEAD"));
        }
        else
        {
            RemoveGitDirectories(directory);
        }

        NormalizeModes(directory);
        var tree = source.IsWholeRepository ? directory : RootedPath.Resolve(directory, source.Subdir);
        return Directory.Exists(tree)
            ? tree
            : throw new GitSourceException($"{source} has no directory {source.Subdir} at {commit}; check the path after the ':'");
    }

    /// <summary>
    /// The commit a checkout of <paramref name="source"/> takes, found with ls-remote alone (nothing
    /// is fetched): what identifies the source's content in a cache key. For an annotated tag it is
    /// the commit the tag points to.
    /// </summary>
    /// <param name="source">The git source.</param>
    /// <param name="directory">Where git runs (any existing directory; nothing is written there).</param>
    /// <param name="options">The credentials and TLS options the checkout would use.</param>
    /// <param name="cancellationToken">Stops git.</param>
    /// <exception cref="GitSourceException">The repository cannot be reached or has no such ref.</exception>
    public static async Task<string> ResolveCommitAsync(GitSource source, string directory, GitCheckoutOptions options, CancellationToken cancellationToken)
    {
        if (GitSource.IsCommitHash(source.Ref))
        {
            return source.Ref;
        }

        var git = new GitCommand(source.Remote, options.SshAuthSocket, options.SkipTlsVerify);
        var refs = await ListRefsAsync(git, source, directory, source.Remote, cancellationToken).ConfigureAwait(false);
        var wanted = Wanted(source, refs);

        // ls-remote lists an annotated tag twice: its own object, and with "^{}" the commit it peels to.
        return refs.TryGetValue(wanted + "^{}", out var peeled) ? peeled
            : refs.TryGetValue(wanted, out var commit) && GitSource.IsCommitHash(commit) ? commit
            : throw new GitSourceException($"{source.Shown} lists no commit for {wanted}");
    }

    /// <summary>Every ref <paramref name="remote"/> (a remote's name or URL) lists, by name; HEAD as "ref: …" where the server says which branch it is.</summary>
    private static async Task<Dictionary<string, string>> ListRefsAsync(GitCommand git, GitSource source, string directory, string remote, CancellationToken cancellationToken)
    {
        var listing = await git.RunAsync(directory, ["ls-remote", "--symref", remote], cancellationToken).ConfigureAwait(false);
        if (!listing.Succeeded)
        {
            throw new GitSourceException(
                $"cannot reach the git repository {source.Shown}: {listing.Reason()}; " +
                "check the address and that this host can reach it (git's credential helpers and the build's default ssh agent are used)");
        }

        var refs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in listing.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var tab = line.IndexOf('\t', StringComparison.Ordinal);
            if (tab > 0)
            {
                refs.TryAdd(line[(tab + 1)..], line[..tab]);
            }
        }

        return refs;
    }

    /// <summary>What to fetch: the ref <paramref name="refs"/> lists for the source's ref (a commit hash as it is).</summary>
    private static string Wanted(GitSource source, Dictionary<string, string> refs)
    {
        if (GitSource.IsCommitHash(source.Ref))
        {
            return source.Ref;
        }

        if (source.Ref.Length == 0)
        {
            // "ref: refs/heads/main" is listed under the name HEAD.
            return refs.TryGetValue("HEAD", out var head) && head.StartsWith("ref: ", StringComparison.Ordinal) ? head[5..] : "HEAD";
        }

        // As BuildKit (and git checkout): a full or partial ref name, then a branch, then a tag.
        var name = source.Ref.StartsWith("refs/", StringComparison.Ordinal) ? source.Ref[5..] : source.Ref;
        foreach (var candidate in new[] { "refs/" + name, HeadsPrefix + name, TagsPrefix + name })
        {
            if (refs.ContainsKey(candidate))
            {
                return candidate;
            }
        }

        var known = refs.Keys
            .Where(r => (r.StartsWith(HeadsPrefix, StringComparison.Ordinal) || r.StartsWith(TagsPrefix, StringComparison.Ordinal)) && !r.EndsWith("^{}", StringComparison.Ordinal))
            .Select(r => r.StartsWith(HeadsPrefix, StringComparison.Ordinal) ? r[HeadsPrefix.Length..] : r[TagsPrefix.Length..])
            .Take(10)
            .ToArray();
        throw new GitSourceException(
            $"{source.Shown} has no branch or tag {source.Ref}; " +
            (known.Length == 0 ? "the repository has no branches or tags" : "it has " + string.Join(", ", known) + (refs.Count > known.Length ? ", …" : "")) +
            " (a commit is named by its whole hash)");
    }

    private static async Task FetchAsync(GitCommand git, GitSource source, string directory, string wanted, CancellationToken cancellationToken)
    {
        var shallow = await git.RunAsync(directory, ["fetch", "-q", "--depth=1", "--no-tags", "origin", wanted], cancellationToken).ConfigureAwait(false);
        if (shallow.Succeeded)
        {
            return;
        }

        if (!GitSource.IsCommitHash(wanted))
        {
            throw new GitSourceException($"cannot fetch {wanted} from {source.Shown}: {shallow.Reason()}");
        }

        // A server that refuses to serve a commit by its hash still serves its branches and tags,
        // and the commit may be found among them.
        await git.RunCheckedAsync(
            directory,
            $"cannot fetch {source.Shown}",
            ["fetch", "-q", "--tags", "origin", "+refs/heads/*:refs/remotes/origin/*"],
            cancellationToken).ConfigureAwait(false);
        var found = await git.RunAsync(directory, ["update-ref", "FETCH_HEAD", wanted + "^{commit}"], cancellationToken).ConfigureAwait(false);
        if (!found.Succeeded)
        {
            throw new GitSourceException($"{source.Shown} has no commit {wanted} on any branch or tag; check the hash");
        }
    }

    private static void RemoveGitDirectories(string directory)
    {
        // The top .git, and the .git files submodules point to it with.
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, MatchType = MatchType.Simple };
        foreach (var path in Directory.EnumerateFileSystemEntries(directory, ".git", options).ToArray())
        {
            if (Directory.Exists(path) && new FileInfo(path).LinkTarget is null)
            {
                Directory.Delete(path, recursive: true);
            }
            else if (File.Exists(path) || new FileInfo(path).LinkTarget is not null)
            {
                File.Delete(path);
            }
        }
    }

    private static void NormalizeModes(string directory)
    {
        NativeFiles.Chmod(directory, Executable);
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 };
        foreach (var path in Directory.EnumerateFileSystemEntries(directory, "*", options))
        {
            var status = NativeFiles.Lstat(path);
            switch (status.Kind)
            {
                case FileKind.Directory:
                    NativeFiles.Chmod(path, Executable);
                    break;
                case FileKind.RegularFile:
                    NativeFiles.Chmod(path, (status.Permissions & UnixFileMode.UserExecute) != 0 ? Executable : Plain);
                    break;
            }
        }
    }
}

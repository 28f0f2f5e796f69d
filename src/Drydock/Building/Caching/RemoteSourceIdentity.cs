using System.Globalization;
using System.Text;
using Drydock.Cache;
using Drydock.Context.Remote;
using Drydock.Oci;

namespace Drydock.Building.Caching;

/// <summary>
/// What identifies the content of an ADD's URL or git source without fetching it, for the step's
/// cache key. The entry's path is the source with any user:password left out
/// (<see cref="AddSources.Display"/>), so no credential reaches a key, an entry or a message.
/// </summary>
internal static class RemoteSourceIdentity
{
    /// <summary>
    /// A URL is known by <c>--checksum</c> when given (then nothing is asked), else by the ETag,
    /// Last-Modified and Content-Length of a HEAD request.
    /// </summary>
    /// <returns>The identity; null when the server gives neither ETag nor Last-Modified, answers the HEAD with an error, or cannot be reached (the step then runs, and reports any error itself).</returns>
    public static async Task<SourceFileDigest?> OfUrlAsync(string text, Digest? checksum, IBuildLog log, CancellationToken cancellationToken)
    {
        var shown = AddSources.Display(text);
        if (checksum is { } known)
        {
            return new SourceFileDigest(shown, known);
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var url))
        {
            return null;
        }

        UrlValidators? validators;
        try
        {
            validators = await AddDownload.ValidatorsAsync(url, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            log.Debug($"{shown} is not cached: its validators could not be asked for ({e.Message})");
            return null;
        }

        if (validators is not { IdentifyContent: true })
        {
            log.Debug($"{shown} is not cached: the server gives neither an ETag nor a Last-Modified time for it (add --checksum to cache it)");
            return null;
        }

        var identity = string.Join(
            '\n',
            "url",
            validators.ETag ?? "",
            validators.LastModified?.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) ?? "",
            validators.Length?.ToString(CultureInfo.InvariantCulture) ?? "");
        return new SourceFileDigest(shown, Digest.Sha256(Encoding.UTF8.GetBytes(identity)));
    }

    /// <summary>
    /// A git source is known by its commit: the one <c>--checksum</c> or <c>?checksum=</c> (a
    /// prefix of a hash) or the fragment names, else the one its ref names now, asked with
    /// ls-remote. Whether the .git directory is kept and submodules are checked out counts too.
    /// </summary>
    /// <returns>The identity; null when the repository cannot be asked (the step then runs, and reports why).</returns>
    public static async Task<SourceFileDigest?> OfGitAsync(GitSource source, GitCheckoutOptions options, string directory, IBuildLog log, CancellationToken cancellationToken)
    {
        string commit;
        try
        {
            commit = options.Checksum ?? await GitCheckout.ResolveCommitAsync(source, directory, options, cancellationToken).ConfigureAwait(false);
        }
        catch (GitSourceException e)
        {
            log.Debug($"{source} is not cached: {e.Message}");
            return null;
        }

        var identity = string.Join('\n', "git", commit, source.Subdir, options.KeepGitDir ? "keep-git-dir" : "", options.Submodules ? "submodules" : "");
        return new SourceFileDigest(source.ToString(), Digest.Sha256(Encoding.UTF8.GetBytes(identity)));
    }
}

using Drydock.Context.Remote;

namespace Drydock.Context;

/// <summary>
/// A git:// build context, read as kaniko reads it (pkg/buildcontext/git.go): <c>HOST/PATH</c>
/// is fetched over https, or http when GIT_PULL_METHOD=http (Drydock also takes git and ssh);
/// <c>#REF</c> names a branch, tag, full ref (refs/pull/N/head too) or commit, a second
/// <c>#COMMIT</c> the commit to check out; the branch of <c>--git branch=</c> stands in for a REF
/// that is no commit. GIT_USERNAME/GIT_PASSWORD, or GIT_TOKEN alone, are sent as basic
/// credentials; without them git's own credential helpers apply. The checkout is made by the
/// host's git as for ADD (one commit, no .git left behind).
/// </summary>
internal static class GitContext
{
    private const string PullMethodVariable = "GIT_PULL_METHOD";
    private static readonly string[] PullMethods = ["https", "http", "git", "ssh"];

    /// <exception cref="BuildContextException">A malformed location or pull method, or git cannot fetch or check it out.</exception>
    public static async Task CheckoutAsync(ContextSource source, string directory, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        var parts = source.Location.Split('#');
        if (parts.Length > 3 || parts[0].Length == 0)
        {
            throw new BuildContextException($"invalid git build context {source.Shown}: write git://HOST/PATH[#REF[#COMMIT]]");
        }

        var method = environment(PullMethodVariable) is { Length: > 0 } chosen ? chosen.ToLowerInvariant() : "https";
        if (!PullMethods.Contains(method))
        {
            throw new BuildContextException($"{PullMethodVariable}={method} is no way to fetch {source.Shown}: use https (the default), http, git or ssh");
        }

        var fragment = parts.Length > 1 ? parts[1] : "";
        var reference = parts.Length > 2 ? parts[2]
            : GitSource.IsCommitHash(fragment) ? fragment
            : source.Git.Branch ?? fragment;
        if (reference.StartsWith('-'))
        {
            throw new BuildContextException($"invalid git ref {reference} in {source.Shown}: a ref cannot start with '-'");
        }

        var remote = $"{method}://{(method is "https" or "http" ? UserInfo(environment) : "")}{parts[0]}";
        var options = new GitCheckoutOptions(KeepGitDir: false, Checksum: null, Submodules: source.Git.RecurseSubmodules, SshAuthSocket: null, SkipTlsVerify: source.Git.InsecureSkipTls);
        try
        {
            await GitCheckout.CheckoutAsync(new GitSource(remote, reference, ""), directory, options, cancellationToken).ConfigureAwait(false);
        }
        catch (GitSourceException e)
        {
            // git says "server certificate verification failed" or "SSL certificate problem: …".
            var tlsHint = !source.Git.InsecureSkipTls && e.Message.Contains("certificate", StringComparison.OrdinalIgnoreCase)
                ? "; a server whose certificate a private CA signed needs that CA in GIT_SSL_CAINFO, or the git option insecure-skip-tls=true"
                : "";
            throw new BuildContextException($"git build context {source.Shown}: {e.Message}{tlsHint}", e);
        }
    }

    // kaniko's getGitAuth: a token is the user name with an empty password. The ':' keeps git from
    // asking for a password it cannot prompt for; GitCommand keeps the pair out of every message.
    private static string UserInfo(Func<string, string?> environment)
    {
        var user = environment("GIT_USERNAME") ?? "";
        var password = environment("GIT_PASSWORD") ?? "";
        if (environment("GIT_TOKEN") is { Length: > 0 } token)
        {
            (user, password) = (token, "");
        }

        return user.Length == 0 && password.Length == 0 ? "" : $"{Uri.EscapeDataString(user)}:{Uri.EscapeDataString(password)}@";
    }
}

using System.Text.RegularExpressions;

namespace Drydock.Context.Remote;

/// <summary>What an ADD (or COPY) source names.</summary>
internal enum AddSourceKind
{
    /// <summary>A path in the build context (or in the <c>--from</c> filesystem).</summary>
    Local,

    /// <summary>An http:// or https:// URL to download.</summary>
    Http,

    /// <summary>A git repository: git://, ssh://, user@host:path, or an http(s) URL whose path ends in .git (github.com/owner/repo without .git is not one, as in BuildKit).</summary>
    Git,
}

/// <summary>Tells remote ADD sources from local paths with BuildKit's rules (gitutil.ParseGitRef, isHTTPSource).</summary>
internal static partial class AddSources
{
    public static AddSourceKind Classify(string source)
    {
        if (source.StartsWith("git://", StringComparison.OrdinalIgnoreCase)
            || source.StartsWith("ssh://", StringComparison.OrdinalIgnoreCase)
            || ScpStyle().IsMatch(source))
        {
            return AddSourceKind.Git;
        }

        if (!source.StartsWith("http://", StringComparison.OrdinalIgnoreCase) && !source.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            return AddSourceKind.Local;
        }

        // BuildKit takes an http(s) URL for a git repository only when its path (before any query) ends in ".git".
        return Uri.TryCreate(source, UriKind.Absolute, out var url) && url.AbsolutePath.EndsWith(".git", StringComparison.Ordinal)
            ? AddSourceKind.Git
            : AddSourceKind.Http;
    }

    /// <summary>A source for messages: any user:password in a URL is left out.</summary>
    public static string Display(string source) =>
        Uri.TryCreate(source, UriKind.Absolute, out var url) && url.UserInfo.Length > 0
            ? url.GetComponents(UriComponents.AbsoluteUri & ~UriComponents.UserInfo, UriFormat.UriEscaped)
            : source;

    // git's scp-like syntax, "git@github.com:org/repo.git", with BuildKit's user and host characters (sshutil.gitSSHRegex).
    [GeneratedRegex(@"^[A-Za-z0-9_-]+@[A-Za-z0-9.-]+:")]
    private static partial Regex ScpStyle();
}

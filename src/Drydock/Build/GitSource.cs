namespace Drydock.Build;

/// <summary>
/// A git ADD source split the way BuildKit splits it (gitutil.ParseURL, splitGitFragment): the
/// remote git is given, and the fragment <c>#REF:SUBDIR</c>, both parts optional.
/// </summary>
/// <param name="Remote">What git fetches from: the source without its fragment, credentials included.</param>
/// <param name="Ref">A branch, a tag, a full ref name or a commit hash; empty for the remote's default branch.</param>
/// <param name="Subdir">The directory of the repository to add; empty for all of it.</param>
internal sealed record GitSource(string Remote, string Ref, string Subdir)
{
    /// <summary>The remote for messages: any user:password left out.</summary>
    public string Shown => AddSources.Display(Remote);

    /// <summary>Whether the whole repository is added (no subdirectory, or one that cleans to the root).</summary>
    public bool IsWholeRepository => Subdir.Split('/', StringSplitOptions.RemoveEmptyEntries).All(part => part == ".");

    /// <exception cref="FormatException">A ref git would read as an option.</exception>
    public static GitSource Parse(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var hash = source.IndexOf('#', StringComparison.Ordinal);
        var remote = hash < 0 ? source : source[..hash];
        var fragment = hash < 0 ? "" : source[(hash + 1)..];
        var colon = fragment.IndexOf(':', StringComparison.Ordinal);
        var reference = colon < 0 ? fragment : fragment[..colon];
        var subdir = colon < 0 ? "" : fragment[(colon + 1)..];
        if (reference.StartsWith('-'))
        {
            throw new FormatException($"invalid git ref {reference} in {AddSources.Display(source)}: a ref cannot start with '-'");
        }

        return new GitSource(remote, reference, subdir);
    }

    /// <summary>Whether <paramref name="reference"/> is a whole commit hash (SHA-1 or SHA-256), as gitutil.IsCommitSHA.</summary>
    public static bool IsCommitHash(string reference) =>
        reference.Length is 40 or 64 && reference.All(char.IsAsciiHexDigitLower);

    public override string ToString() =>
        Shown + (Ref.Length > 0 || Subdir.Length > 0 ? "#" + Ref : "") + (Subdir.Length > 0 ? ":" + Subdir : "");
}

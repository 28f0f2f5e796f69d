namespace Drydock.Context.Remote;

/// <summary>
/// A git ADD source split the way BuildKit's Dockerfile frontend splits it (gitutil.ParseURL,
/// dfgitutil.ParseGitRef): the remote git is given, the fragment <c>#REF:SUBDIR</c> and the query
/// <c>?ref=…&amp;subdir=…</c> (<see cref="GitUrlQuery"/>), all optional. The fragment and the query
/// may be mixed as long as they do not name two different refs or subdirectories.
/// </summary>
/// <param name="Remote">What git fetches from: the source without its query and fragment, credentials included.</param>
/// <param name="Ref">A branch, a tag, a full ref name or a commit hash; empty for the remote's default branch.</param>
/// <param name="Subdir">The directory of the repository to add; empty for all of it.</param>
internal sealed record GitSource(string Remote, string Ref, string Subdir)
{
    /// <summary><c>?checksum=</c> (or <c>?commit=</c>): a commit hash or a prefix of one, lowercase; null when not given.</summary>
    public string? Checksum { get; init; }

    /// <summary><c>?keep-git-dir=</c>; null when not given.</summary>
    public bool? KeepGitDir { get; init; }

    /// <summary><c>?submodules=</c>: false to leave submodules out.</summary>
    public bool Submodules { get; init; } = true;

    /// <summary>The remote for messages: any user:password left out.</summary>
    public string Shown => AddSources.Display(Remote);

    /// <summary>Whether the whole repository is added (no subdirectory, or one that cleans to the root).</summary>
    public bool IsWholeRepository => Subdir.Split('/', StringSplitOptions.RemoveEmptyEntries).All(part => part == ".");

    /// <exception cref="FormatException">A query BuildKit refuses, a fragment and a query that disagree, or a ref git would read as an option.</exception>
    public static GitSource Parse(string source)
    {
        ArgumentNullException.ThrowIfNull(source);

        // As Go's url.Parse and BuildKit's scp-style pattern: the fragment from the first '#', the query from the first '?' before it.
        var hash = source.IndexOf('#', StringComparison.Ordinal);
        var beforeFragment = hash < 0 ? source : source[..hash];
        var fragment = hash < 0 ? "" : source[(hash + 1)..];
        var question = beforeFragment.IndexOf('?', StringComparison.Ordinal);
        var remote = question < 0 ? beforeFragment : beforeFragment[..question];
        var colon = fragment.IndexOf(':', StringComparison.Ordinal);
        var reference = colon < 0 ? fragment : fragment[..colon];
        var subdir = colon < 0 ? "" : fragment[(colon + 1)..];

        GitUrlQuery query;
        try
        {
            query = question < 0 ? GitUrlQuery.None : GitUrlQuery.Parse(beforeFragment[(question + 1)..]);
        }
        catch (FormatException e)
        {
            throw Invalid(source, e.Message);
        }

        reference = Merge(source, "ref", reference, query.Ref);
        subdir = Merge(source, "subdir", subdir, query.Subdir);
        reference = Merge(source, "ref", reference, query.Tag);
        if (query.Branch.Length > 0 && query.Tag.Length > 0)
        {
            throw Invalid(source, "branch conflicts with tag; give one of them");
        }

        reference = Merge(source, "ref", reference, query.Branch);
        if (reference.StartsWith('-'))
        {
            throw new FormatException($"invalid git ref {reference} in {AddSources.Display(source)}: a ref cannot start with '-'");
        }

        if (query.Checksum is { } checksum && !checksum.All(char.IsAsciiHexDigit))
        {
            throw Invalid(source, $"checksum={checksum} is not a commit hash (hex digits; a prefix is enough)");
        }

        return new GitSource(remote, reference, subdir)
        {
            Checksum = query.Checksum?.ToLowerInvariant(),
            KeepGitDir = query.KeepGitDir,
            Submodules = query.Submodules ?? true,
        };
    }

    /// <summary>Whether <paramref name="reference"/> is a whole commit hash (SHA-1 or SHA-256), as gitutil.IsCommitSHA.</summary>
    public static bool IsCommitHash(string reference) =>
        reference.Length is 40 or 64 && reference.All(char.IsAsciiHexDigitLower);

    public override string ToString() =>
        Shown + (Ref.Length > 0 || Subdir.Length > 0 ? "#" + Ref : "") + (Subdir.Length > 0 ? ":" + Subdir : "");

    /// <summary>One value from two places: BuildKit accepts both only when they agree.</summary>
    private static string Merge(string source, string what, string earlier, string later) =>
        earlier.Length == 0 || later.Length == 0 || earlier == later
            ? (later.Length > 0 ? later : earlier)
            : throw Invalid(source, $"{what} conflicts: \"{earlier}\" vs \"{later}\"; name the {what} once, in the fragment (#REF:SUBDIR) or in the query (?{what}=…)");

    private static FormatException Invalid(string source, string why) => new($"invalid git URL {AddSources.Display(source)}: {why}");
}

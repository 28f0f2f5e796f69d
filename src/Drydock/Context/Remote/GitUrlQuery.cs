namespace Drydock.Context.Remote;

/// <summary>
/// The query of a git ADD source, <c>?ref=…&amp;subdir=…</c>, read as BuildKit's Dockerfile frontend
/// reads it (dfgitutil.GitRef.loadQuery, Dockerfile 1.18): the keys ref, tag, branch, subdir,
/// checksum (alias commit), keep-git-dir and submodules, each at most once and with a value (the
/// two booleans alone mean true); any other key is an error.
/// </summary>
/// <param name="Ref">The <c>ref</c> value as written; empty when not given.</param>
/// <param name="Tag">The <c>tag</c> value, <c>refs/tags/</c> prefixed; empty when not given.</param>
/// <param name="Branch">The <c>branch</c> value, <c>refs/heads/</c> prefixed; empty when not given.</param>
/// <param name="Subdir">The <c>subdir</c> value; empty when not given.</param>
/// <param name="Checksum">The <c>checksum</c> (or <c>commit</c>) value; null when not given.</param>
/// <param name="KeepGitDir">The <c>keep-git-dir</c> value; null when not given.</param>
/// <param name="Submodules">The <c>submodules</c> value; null when not given.</param>
internal sealed record GitUrlQuery(string Ref, string Tag, string Branch, string Subdir, string? Checksum, bool? KeepGitDir, bool? Submodules)
{
    public const string Keys = "ref, tag, branch, subdir, checksum (or commit), keep-git-dir and submodules";

    private const string TagsPrefix = "refs/tags/";
    private const string HeadsPrefix = "refs/heads/";

    public static GitUrlQuery None { get; } = new("", "", "", "", null, null, null);

    /// <summary>Reads the text after the '?' (without the fragment).</summary>
    /// <exception cref="FormatException">A malformed pair, an unknown or repeated key, or a missing or invalid value; the message says which.</exception>
    public static GitUrlQuery Parse(string query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Unescape(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? "" : Unescape(pair[(equals + 1)..]);
            if (!values.TryAdd(key, value))
            {
                throw new FormatException($"query key \"{key}\" is given more than once; keep one");
            }
        }

        var result = None;
        foreach (var (key, value) in values)
        {
            result = key switch
            {
                "ref" => result with { Ref = Required(key, value) },
                "tag" => result with { Tag = Qualified(Required(key, value), TagsPrefix) },
                "branch" => result with { Branch = Qualified(Required(key, value), HeadsPrefix) },
                "subdir" => result with { Subdir = Required(key, value) },
                "checksum" or "commit" when result.Checksum is { } other && other != value =>
                    throw new FormatException($"checksum conflicts: \"{other}\" vs \"{value}\" (checksum and commit are one key); keep one"),
                "checksum" or "commit" => result with { Checksum = Required(key, value) },
                "keep-git-dir" => result with { KeepGitDir = Boolean(key, value) },
                "submodules" => result with { Submodules = Boolean(key, value) },
                _ => throw new FormatException($"unexpected query key \"{key}\"; the keys are {Keys}, in lowercase"),
            };
        }

        return result;
    }

    private static string Required(string key, string value) =>
        value.Length > 0 ? value : throw new FormatException($"query key \"{key}\" has no value; write {key}=VALUE or leave the key out");

    private static string Qualified(string name, string prefix) => name.StartsWith(prefix, StringComparison.Ordinal) ? name : prefix + name;

    // Go's strconv.ParseBool, which BuildKit uses; a key alone means true.
    private static bool Boolean(string key, string value) => value switch
    {
        "" or "1" or "t" or "T" or "true" or "TRUE" or "True" => true,
        "0" or "f" or "F" or "false" or "FALSE" or "False" => false,
        _ => throw new FormatException($"invalid {key} value \"{value}\"; use {key}=true or {key}=false"),
    };

    /// <summary>Go's url.QueryUnescape: '+' is a space and %XX a byte of UTF-8.</summary>
    private static string Unescape(string text)
    {
        if (text.Contains(';', StringComparison.Ordinal))
        {
            // Go refuses ';' as a separator; BuildKit would then drop the pair without a word.
            throw new FormatException($"\"{text}\" holds a ';'; separate query keys with '&' (write %3B for a ';' in a value)");
        }

        for (var i = text.IndexOf('%', StringComparison.Ordinal); i >= 0; i = text.IndexOf('%', i + 1))
        {
            if (i + 2 >= text.Length || !char.IsAsciiHexDigit(text[i + 1]) || !char.IsAsciiHexDigit(text[i + 2]))
            {
                throw new FormatException($"\"{text}\" has an invalid escape at \"{text[i..Math.Min(i + 3, text.Length)]}\"; write %25 for a '%'");
            }
        }

        return Uri.UnescapeDataString(text.Replace('+', ' '));
    }
}

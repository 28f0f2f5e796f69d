namespace Drydock.Context;

/// <summary>
/// How a git context is fetched: kaniko's <c>--git KEY=VALUE</c> settings. Only the ref and its
/// commit are ever fetched, so single-branch changes nothing here; it is accepted as kaniko accepts it.
/// </summary>
/// <param name="Branch">The branch (or else tag) to check out instead of the default branch; null when not given.</param>
/// <param name="SingleBranch">kaniko's single-branch (accepted, without effect: one ref is fetched either way).</param>
/// <param name="RecurseSubmodules">Whether submodules are checked out too (off by default, as in kaniko).</param>
/// <param name="InsecureSkipTls">Whether an https server's certificate goes unchecked.</param>
public sealed record GitContextOptions(string? Branch, bool SingleBranch, bool RecurseSubmodules, bool InsecureSkipTls)
{
    public const string Keys = "branch, single-branch, recurse-submodules and insecure-skip-tls";

    public static GitContextOptions Default { get; } = new(null, false, false, false);

    /// <summary>
    /// Reads the settings: each value one or more comma-separated KEY=VALUE pairs (kaniko takes
    /// the flag once per key; the comma form is accepted too). A later value wins.
    /// </summary>
    /// <exception cref="FormatException">A pair without '=', an unknown key or a boolean that is not one.</exception>
    public static GitContextOptions Parse(IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var options = Default;
        foreach (var pair in values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new FormatException($"invalid git option \"{pair}\": write KEY=VALUE, with KEY one of {Keys}");
            }

            var (key, value) = (pair[..equals], pair[(equals + 1)..]);
            options = key switch
            {
                "branch" => options with { Branch = value.Length == 0 ? null : value },
                "single-branch" => options with { SingleBranch = Boolean(key, value) },
                "recurse-submodules" => options with { RecurseSubmodules = Boolean(key, value) },
                "insecure-skip-tls" => options with { InsecureSkipTls = Boolean(key, value) },
                _ => throw new FormatException($"unknown git option \"{key}\": the keys are {Keys}"),
            };
        }

        return options;
    }

    // Go's strconv.ParseBool, which kaniko uses.
    private static bool Boolean(string key, string value) => value switch
    {
        "1" or "t" or "T" or "true" or "TRUE" or "True" => true,
        "0" or "f" or "F" or "false" or "FALSE" or "False" => false,
        _ => throw new FormatException($"invalid git option {key}={value}: use {key}=true or {key}=false"),
    };
}

using System.Text;

namespace Drydock.Registry.Auth;

/// <summary>
/// One challenge of a <c>WWW-Authenticate</c> header (RFC 7235), e.g.
/// <c>Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"</c>.
/// </summary>
public sealed record AuthChallenge(string Scheme, IReadOnlyDictionary<string, string> Parameters)
{
    public bool IsBearer => Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase);

    public bool IsBasic => Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase);

    public string? Realm => Parameters.GetValueOrDefault("realm");

    public string? Service => Parameters.GetValueOrDefault("service");

    /// <summary>The scopes the registry asked for (space separated in the header).</summary>
    public IReadOnlyList<string> Scopes =>
        Parameters.TryGetValue("scope", out var scope) ? scope.Split(' ', StringSplitOptions.RemoveEmptyEntries) : [];

    /// <summary>The <c>error</c> parameter (<c>insufficient_scope</c>, <c>invalid_token</c>), if any.</summary>
    public string? Error => Parameters.GetValueOrDefault("error");

    /// <summary>
    /// Parses a header value that may hold several challenges. Lenient like the registries' own
    /// clients: unquoted values may contain '/' and ':', and a malformed tail is ignored.
    /// </summary>
    public static IReadOnlyList<AuthChallenge> ParseAll(string header)
    {
        var challenges = new List<AuthChallenge>();
        var position = 0;
        while (true)
        {
            SkipSeparators(header, ref position, alsoCommas: true);
            var scheme = ReadToken(header, ref position);
            if (scheme.Length == 0)
            {
                break;
            }

            var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            while (true)
            {
                var mark = position;
                SkipSeparators(header, ref position, alsoCommas: true);
                var name = ReadToken(header, ref position);
                SkipSeparators(header, ref position, alsoCommas: false);
                if (name.Length == 0 || position >= header.Length || header[position] != '=')
                {
                    // Not "name=": the start of the next challenge (or junk, which ends parsing).
                    position = mark;
                    break;
                }

                position++;
                SkipSeparators(header, ref position, alsoCommas: false);
                parameters[name] = position < header.Length && header[position] == '"'
                    ? ReadQuoted(header, ref position)
                    : ReadToken(header, ref position);
            }

            challenges.Add(new AuthChallenge(scheme, parameters));
        }

        return challenges;
    }

    private static void SkipSeparators(string text, ref int position, bool alsoCommas)
    {
        while (position < text.Length && (text[position] is ' ' or '\t' || (alsoCommas && text[position] == ',')))
        {
            position++;
        }
    }

    private static string ReadToken(string text, ref int position)
    {
        var start = position;
        while (position < text.Length && IsTokenChar(text[position]))
        {
            position++;
        }

        return text[start..position];
    }

    private static string ReadQuoted(string text, ref int position)
    {
        var builder = new StringBuilder();
        position++;
        while (position < text.Length && text[position] != '"')
        {
            if (text[position] == '\\' && position + 1 < text.Length)
            {
                position++;
            }

            builder.Append(text[position]);
            position++;
        }

        position = Math.Min(position + 1, text.Length);
        return builder.ToString();
    }

    private static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~' or '/' or ':';
}

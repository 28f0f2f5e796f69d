using Drydock.Foundation.GoFormats;

namespace Drydock.Dockerfile;

/// <summary>
/// Turns one logical line into a <see cref="Node"/>: keyword, flag words, then the arguments split
/// the way that keyword splits them (JSON or shell form, whitespace, key/value, …).
/// </summary>
internal static class NodeFactory
{
    public static Node FromLine(string line, char escape)
    {
        var parts = WordSplitter.SplitWhitespace(line.Trim(), maxParts: 2);
        var keyword = parts[0];
        List<string> flags = [];
        var rest = "";
        if (parts.Count == 2)
        {
            (flags, rest) = FlagWordExtractor.Extract(parts[1], escape);
            rest = rest.Trim();
        }

        var lower = keyword.ToLowerInvariant();
        var (args, isJson, trigger) = lower switch
        {
            Keywords.Add or Keywords.Copy or Keywords.Volume => JsonOrWords(rest),
            Keywords.Cmd or Keywords.Entrypoint or Keywords.Run or Keywords.Shell => JsonOrText(rest),
            Keywords.Arg => (WordSplitter.SplitQuoted(rest, escape), false, null),
            Keywords.Env => (KeyValues(rest, "ENV", escape), false, null),
            Keywords.Label => (KeyValues(rest, "LABEL", escape), false, null),
            Keywords.Expose or Keywords.From => (Words(rest), false, null),
            Keywords.Healthcheck => Healthcheck(rest),
            Keywords.Maintainer or Keywords.StopSignal or Keywords.User or Keywords.Workdir => (Whole(rest), false, null),
            Keywords.Onbuild => ([], false, rest.Length == 0 ? null : FromLine(rest, escape)),
            // Unknown words are kept (the instruction stage reports them); their arguments are not.
            _ => ([""], false, null),
        };
        return new Node
        {
            Keyword = lower,
            KeywordAsWritten = keyword,
            Flags = flags,
            Args = args,
            IsJson = isJson,
            Trigger = trigger,
            Original = line,
        };
    }

    private static (List<string>, bool, Node?) JsonOrText(string rest)
    {
        if (rest.Length == 0)
        {
            return ([], false, null);
        }
        return JsonArgs.TryParse(rest, out var values) ? ([.. values], true, null) : ([rest], false, null);
    }

    private static (List<string>, bool, Node?) JsonOrWords(string rest) =>
        JsonArgs.TryParse(rest, out var values) ? ([.. values], true, null) : (Words(rest), false, null);

    private static List<string> Words(string rest) => rest.Length == 0 ? [] : WordSplitter.SplitWhitespace(rest);

    private static List<string> Whole(string rest) => rest.Length == 0 ? [] : [rest];

    // HEALTHCHECK: the type word (CMD, NONE, …) as written, then the rest like CMD's arguments.
    private static (List<string>, bool, Node?) Healthcheck(string rest)
    {
        var typeEnd = 0;
        while (typeEnd < rest.Length && !char.IsWhiteSpace(rest[typeEnd]))
        {
            typeEnd++;
        }
        if (typeEnd == 0)
        {
            return ([], false, null);
        }
        var next = typeEnd;
        while (next < rest.Length && char.IsWhiteSpace(rest[next]))
        {
            next++;
        }
        var (command, isJson, _) = JsonOrText(rest[next..]);
        return ([rest[..typeEnd], .. command], isJson, null);
    }

    // ENV and LABEL: key, value, separator triples. "KEY value" (old form) keeps the whole rest of
    // the line as the value with separator ""; otherwise every word must be key=value.
    private static List<string> KeyValues(string rest, string keyword, char escape)
    {
        var words = WordSplitter.SplitQuoted(rest, escape);
        if (words.Count == 0)
        {
            return [];
        }
        if (!words[0].Contains('=', StringComparison.Ordinal))
        {
            var parts = WordSplitter.SplitWhitespace(rest, maxParts: 2);
            if (parts.Count < 2)
            {
                throw new DockerfileException(
                    $"{keyword} must have two arguments",
                    $"write {keyword} {parts[0]}=<value>");
            }
            return [parts[0], parts[1], ""];
        }
        var result = new List<string>();
        foreach (var word in words)
        {
            var eq = word.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                throw new DockerfileException(
                    $"Syntax error - can't find = in {GoStrings.Quote(word)}. Must be of the form: name=value",
                    "quote values that contain spaces, e.g. NAME=\"a b\"");
            }
            result.AddRange([word[..eq], word[(eq + 1)..], "="]);
        }
        return result;
    }
}

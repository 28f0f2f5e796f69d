namespace Drydock.Dockerfile;

/// <summary>
/// BuildKit's BFlags: each instruction declares the flags it takes, then the flag words from the
/// AST are checked against them. Unknown and repeated single-value flags are errors; names are
/// case-sensitive.
/// </summary>
internal sealed class FlagSet(string keyword, IReadOnlyList<string> words)
{
    private readonly Dictionary<string, Flag> _declared = new(StringComparer.Ordinal);
    private readonly List<string> _used = [];

    /// <summary>Names of the flags that appeared, in order of first appearance.</summary>
    public IReadOnlyList<string> Used => _used;

    /// <summary>A flag that is true when bare or <c>=true</c>, false with <c>=false</c>.</summary>
    public Flag Bool(string name) => Declare(new Flag(name, FlagKind.Bool, "false"));

    /// <summary>A flag that needs <c>=value</c> (possibly empty).</summary>
    public Flag String(string name, string defaultValue = "") => Declare(new Flag(name, FlagKind.String, defaultValue));

    /// <summary>A flag that may repeat; every value is kept.</summary>
    public Flag Strings(string name) => Declare(new Flag(name, FlagKind.Strings, ""));

    /// <exception cref="DockerfileException">Unknown, repeated or malformed flag.</exception>
    public void Parse()
    {
        foreach (var word in words)
        {
            // The parser only collects "--" words, but a hand-built Node may hold anything.
            if (!word.StartsWith("--", StringComparison.Ordinal))
            {
                throw new DockerfileException($"arg should start with -- : {word}");
            }
            var body = word[2..];
            var eq = body.IndexOf('=', StringComparison.Ordinal);
            var hasValue = eq >= 0;
            var name = hasValue ? body[..eq] : body;
            var value = hasValue ? body[(eq + 1)..] : "";

            if (!_declared.TryGetValue(name, out var flag))
            {
                throw UnknownFlag(name);
            }
            if (flag.IsUsed && flag.Kind != FlagKind.Strings)
            {
                throw new DockerfileException($"duplicate flag specified: --{name}", "give the flag only once");
            }
            flag.IsUsed = true;
            _used.Add(name);
            flag.Accept(hasValue, value);
        }
    }

    private Flag Declare(Flag flag)
    {
        _declared.Add(flag.Name, flag);
        return flag;
    }

    private DockerfileException UnknownFlag(string name)
    {
        var upper = keyword.ToUpperInvariant();
        if (_declared.Count == 0)
        {
            return new DockerfileException($"unknown flag: --{name}", $"{upper} takes no flags");
        }
        var hint = Suggestions.Closest(name, _declared.Keys, caseSensitive: true) is { } close
            ? $"did you mean --{close}?"
            : $"{upper} accepts " + string.Join(", ", _declared.Keys.Order(StringComparer.Ordinal).Select(k => "--" + k));
        return new DockerfileException($"unknown flag: --{name}", hint);
    }
}

internal enum FlagKind
{
    Bool,
    String,
    Strings,
}

/// <summary>One declared flag and what the instruction said about it.</summary>
internal sealed class Flag(string name, FlagKind kind, string defaultValue)
{
    private readonly List<string> _values = [];

    public string Name { get; } = name;

    public FlagKind Kind { get; } = kind;

    public bool IsUsed { get; set; }

    public string Value { get; private set; } = defaultValue;

    public IReadOnlyList<string> Values => _values;

    public bool IsTrue => Value == "true";

    /// <summary>Null when the flag was not given, so "not said" differs from "false".</summary>
    public bool? OptionalBool => IsUsed ? IsTrue : null;

    /// <summary>Null when the flag was not given.</summary>
    public string? OptionalValue => IsUsed ? Value : null;

    public void Accept(bool hasValue, string value)
    {
        switch (Kind)
        {
            case FlagKind.Bool:
                if (hasValue && value.Length == 0)
                {
                    throw MissingValue();
                }
                var lower = value.ToLowerInvariant();
                Value = lower switch
                {
                    "" => "true",
                    "true" or "false" => lower,
                    _ => throw new DockerfileException(
                        $"expecting boolean value for flag --{Name}, not: {value}",
                        $"use --{Name}, --{Name}=true or --{Name}=false"),
                };
                break;
            case FlagKind.String:
                Value = hasValue ? value : throw MissingValue();
                break;
            case FlagKind.Strings:
                _values.Add(hasValue ? value : throw MissingValue());
                break;
        }
    }

    private DockerfileException MissingValue() =>
        new($"missing a value on flag: --{Name}", $"write --{Name}=<value>");
}

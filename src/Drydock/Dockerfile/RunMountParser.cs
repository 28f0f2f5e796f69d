using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Drydock.Foundation.GoFormats;

namespace Drydock.Dockerfile;

/// <summary>
/// Parses <c>RUN --mount</c> values the way BuildKit does, in its two phases. When the Dockerfile
/// is parsed there are no variables yet, so only the CSV syntax and <c>from=</c> (which may not
/// use variables: it decides which stages the build needs) are checked. Everything else is
/// expanded and validated when the RUN is about to execute, with the variables in scope there;
/// checking it all at parse time would reject Dockerfiles that BuildKit accepts.
/// </summary>
public static partial class RunMountParser
{
    private static readonly string[] AllKeys =
    [
        "type", "from", "source", "target", "readonly", "id", "sharing", "required", "size", "mode", "uid", "gid",
        "src", "dst", "destination", "ro", "rw", "readwrite", "env",
    ];

    private static readonly Dictionary<string, RunMountType> Types = new(StringComparer.Ordinal)
    {
        ["bind"] = RunMountType.Bind,
        ["cache"] = RunMountType.Cache,
        ["tmpfs"] = RunMountType.Tmpfs,
        ["secret"] = RunMountType.Secret,
        ["ssh"] = RunMountType.Ssh,
    };

    private static readonly Dictionary<string, CacheSharing> SharingModes = new(StringComparer.Ordinal)
    {
        ["shared"] = CacheSharing.Shared,
        ["private"] = CacheSharing.Private,
        ["locked"] = CacheSharing.Locked,
    };

    /// <summary>
    /// The parse-time check: CSV syntax, and a <c>from=</c> without variables. Returns the
    /// <c>from=</c> value (empty when there is none), which is all that is known before expansion.
    /// </summary>
    /// <exception cref="DockerfileException">Bad CSV, or a variable in <c>from=</c>.</exception>
    public static string ParseUnexpanded(string value)
    {
        var from = "";
        foreach (var field in SplitFields(value))
        {
            var equals = field.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0 || !field[..equals].Equals("from", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            from = field[(equals + 1)..];
            var dollar = from.IndexOf('$', StringComparison.Ordinal);
            if (dollar >= 0 && dollar != from.Length - 1)
            {
                throw new DockerfileException(
                    "'from' doesn't support variable expansion, define alias stage instead",
                    "name the stage or image literally, or make a stage FROM it (FROM ${IMAGE} AS tools) and mount from=tools");
            }
        }

        return from;
    }

    /// <summary>The full parse: every value expanded with <paramref name="expand"/>, then BuildKit's checks.</summary>
    /// <exception cref="DockerfileException">An unknown key, type or value, or a combination BuildKit refuses.</exception>
    public static RunMount Parse(string value, Func<string, string> expand)
    {
        ArgumentNullException.ThrowIfNull(expand);
        var mount = new RunMount();
        bool? readOnly = null;
        foreach (var field in SplitFields(value))
        {
            var equals = field.IndexOf('=', StringComparison.Ordinal);
            var key = (equals < 0 ? field : field[..equals]).ToLowerInvariant();
            if (equals < 0)
            {
                // Only these may stand alone; BuildKit checks "required" against the type seen so far.
                switch (key)
                {
                    case "readonly" or "ro":
                        readOnly = true;
                        continue;
                    case "readwrite" or "rw":
                        readOnly = false;
                        continue;
                    case "required":
                        mount = mount with { Required = true };
                        RequireType(key, mount, RunMountType.Secret, RunMountType.Ssh);
                        continue;
                    default:
                        throw new DockerfileException($"invalid field '{field}' must be a key=value pair", $"write {field}=<value>");
                }
            }

            var text = expand(field[(equals + 1)..]);
            switch (key)
            {
                case "type":
                    mount = mount with { Type = Lookup(Types, text, "unsupported mount type") };
                    break;
                case "from":
                    mount = mount with { From = text };
                    break;
                case "source" or "src":
                    mount = mount with { Source = text };
                    break;
                case "target" or "dst" or "destination":
                    mount = mount with { Target = text };
                    break;
                case "readonly" or "ro":
                    readOnly = ParseBool(key, text);
                    break;
                case "readwrite" or "rw":
                    readOnly = !ParseBool(key, text);
                    break;
                case "required":
                    RequireType(key, mount, RunMountType.Secret, RunMountType.Ssh);
                    mount = mount with { Required = ParseBool(key, text) };
                    break;
                case "size":
                    RequireType(key, mount, RunMountType.Tmpfs);
                    mount = mount with { SizeLimit = ParseRamSize(text) ?? throw InvalidValueFor(key, text) };
                    break;
                case "id":
                    mount = mount with { Id = text };
                    break;
                case "sharing":
                    mount = mount with { Sharing = Lookup(SharingModes, text, "unsupported sharing value") };
                    break;
                case "mode":
                    mount = mount with { Mode = ParseUInt32(key, text, 8) };
                    break;
                case "uid":
                    mount = mount with { Uid = ParseUInt32(key, text, 10) };
                    break;
                case "gid":
                    mount = mount with { Gid = ParseUInt32(key, text, 10) };
                    break;
                case "env":
                    mount = mount with { Env = text };
                    break;
                default:
                    var hint = Suggestions.Closest(key, AllKeys, caseSensitive: true) is { } close ? $"did you mean {close}?" : null;
                    throw new DockerfileException($"unexpected key '{key}' in '{field}'", hint);
            }
        }

        return Validate(mount with { ReadOnly = readOnly ?? mount.Type is not (RunMountType.Cache or RunMountType.Tmpfs) });
    }

    private static RunMount Validate(RunMount mount)
    {
        if (mount.Type is not (RunMountType.Secret or RunMountType.Ssh or RunMountType.Cache))
        {
            foreach (var (name, given) in new[] { ("mode", mount.Mode), ("uid", mount.Uid), ("gid", mount.Gid) })
            {
                if (given is not null)
                {
                    throw new DockerfileException($"{name} not allowed for \"{Name(mount.Type)}\" type mounts");
                }
            }
        }

        if (mount.Type == RunMountType.Secret)
        {
            if (mount.From.Length > 0)
            {
                throw new DockerfileException("secret mount should not have a from");
            }

            if (mount.Sharing is not null)
            {
                throw new DockerfileException("secret mount should not define sharing");
            }

            if (mount.Source.Length == 0 && mount.Target.Length == 0 && mount.Id.Length == 0)
            {
                throw new DockerfileException("invalid secret mount. one of source, target required", "give the secret an id: --mount=type=secret,id=NAME");
            }

            if (mount.Source.Length > 0 && mount.Id.Length > 0)
            {
                throw new DockerfileException("both source and id can't be set");
            }
        }

        if (mount.Sharing is not null && mount.Type != RunMountType.Cache)
        {
            throw new DockerfileException($"invalid cache sharing set for {Name(mount.Type)} mount");
        }

        return mount;
    }

    /// <summary>The mount type as BuildKit spells it.</summary>
    public static string Name(RunMountType type) => Types.First(t => t.Value == type).Key;

    private static void RequireType(string key, RunMount mount, params RunMountType[] allowed)
    {
        if (!allowed.Contains(mount.Type))
        {
            throw new DockerfileException(
                $"unexpected key '{key}' for mount type '{Name(mount.Type)}'",
                "type= must come first when it decides which keys are allowed");
        }
    }

    private static T Lookup<T>(Dictionary<string, T> known, string text, string what)
    {
        if (known.TryGetValue(text.ToLowerInvariant(), out var value))
        {
            return value;
        }

        var hint = Suggestions.Closest(text, known.Keys, caseSensitive: false) is { } close
            ? $"did you mean {close}?"
            : "use one of " + string.Join(", ", known.Keys);
        throw new DockerfileException($"{what} {GoStrings.Quote(text)}", hint);
    }

    // Go's strconv.ParseBool.
    private static bool ParseBool(string key, string text) => text switch
    {
        "1" or "t" or "T" or "TRUE" or "true" or "True" => true,
        "0" or "f" or "F" or "FALSE" or "false" or "False" => false,
        _ => throw InvalidValueFor(key, text),
    };

    // Go's strconv.ParseUint(text, base, 32): digits only, no sign, no prefix.
    private static uint ParseUInt32(string key, string text, int numberBase)
    {
        var maxDigit = (char)('0' + numberBase - 1);
        if (text.Length == 0 || text.Any(c => c < '0' || c > maxDigit))
        {
            throw new DockerfileException($"invalid value {text} for {key}");
        }

        ulong value = 0;
        foreach (var c in text)
        {
            value = (value * (ulong)numberBase) + (ulong)(c - '0');
            if (value > uint.MaxValue)
            {
                throw new DockerfileException($"invalid value {text} for {key}");
            }
        }

        return (uint)value;
    }

    /// <summary>docker/go-units RAMInBytes: "64m", "1.5g", "512 KiB", "100" (bytes); binary multiples.</summary>
    internal static long? ParseRamSize(string text)
    {
        var match = RamSizePattern().Match(text);
        if (!match.Success || !double.TryParse(match.Groups[1].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var size))
        {
            return null;
        }

        var shift = match.Groups[2].Value.ToLowerInvariant() switch
        {
            "k" => 10,
            "m" => 20,
            "g" => 30,
            "t" => 40,
            "p" => 50,
            _ => 0,
        };
        return (long)(size * Math.Pow(2, shift));
    }

    private static DockerfileException InvalidValueFor(string key, string text) => new($"invalid value for {key}: {text}");

    /// <summary>One CSV record as Go's encoding/csv reads it: quoted fields may hold commas, "" is a quote.</summary>
    private static List<string> SplitFields(string value)
    {
        if (value.Length == 0)
        {
            throw new DockerfileException("failed to parse csv mounts: EOF", "write --mount=type=TYPE,target=PATH");
        }

        var fields = new List<string>();
        var field = new StringBuilder();
        var i = 0;
        while (true)
        {
            if (i < value.Length && value[i] == '"')
            {
                for (i++; ; i++)
                {
                    if (i >= value.Length)
                    {
                        throw CsvError("extraneous or missing \" in quoted-field");
                    }

                    if (value[i] != '"')
                    {
                        field.Append(value[i]);
                    }
                    else if (i + 1 < value.Length && value[i + 1] == '"')
                    {
                        field.Append('"');
                        i++;
                    }
                    else
                    {
                        i++;
                        break;
                    }
                }

                if (i < value.Length && value[i] != ',')
                {
                    throw CsvError("extraneous or missing \" in quoted-field");
                }
            }
            else
            {
                var end = value.IndexOf(',', i);
                end = end < 0 ? value.Length : end;
                var text = value[i..end];
                if (text.Contains('"', StringComparison.Ordinal))
                {
                    throw CsvError("bare \" in non-quoted-field");
                }

                field.Append(text);
                i = end;
            }

            fields.Add(field.ToString());
            field.Clear();
            if (i >= value.Length)
            {
                return fields;
            }

            i++; // the comma
        }

        static DockerfileException CsvError(string reason) =>
            new($"failed to parse csv mounts: {reason}", "quote a field that holds a comma: --mount=\"target=/a,b\"");
    }

    [GeneratedRegex(@"\A([0-9]+(?:\.[0-9]+)?) ?([kKmMgGtTpP])?[iI]?[bB]?\z")]
    private static partial Regex RamSizePattern();
}

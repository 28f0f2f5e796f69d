using System.CommandLine;

namespace Drydock.Cli;

/// <summary>
/// kaniko's flags parse with Go's pflag, where a single-value flag given again replaces the
/// earlier value: CI templates set defaults in one variable and let a job's own arguments,
/// appended after them, override those. System.CommandLine refuses such repeats, so before
/// parsing, every occurrence of a single-value flag but its last is dropped.
/// </summary>
public static class RepeatedFlags
{
    /// <summary>The arguments with only the last occurrence of each of <paramref name="command"/>'s single-value flags.</summary>
    public static string[] KeepLast(Command command, IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(args);
        var singles = new Dictionary<string, Option>(StringComparer.Ordinal);
        foreach (var option in command.Options.Where(o => o.Arity.MaximumNumberOfValues <= 1))
        {
            foreach (var name in option.Aliases.Prepend(option.Name))
            {
                singles[name] = option;
            }
        }

        // Each occurrence as (option, first token, token count); only the last of an option stays.
        var occurrences = new List<(Option Option, int Start, int Count)>();
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == "--")
            {
                break;
            }

            var name = args[i].Split('=', 2)[0];
            if (!singles.TryGetValue(name, out var option))
            {
                continue;
            }

            var count = args[i].Contains('=', StringComparison.Ordinal) || i + 1 == args.Count || !TakesNext(option, args[i + 1]) ? 1 : 2;
            occurrences.Add((option, i, count));
            i += count - 1;
        }

        var dropped = new HashSet<int>();
        foreach (var earlier in occurrences.Where((o, index) => occurrences.Skip(index + 1).Any(later => later.Option == o.Option)))
        {
            dropped.UnionWith(Enumerable.Range(earlier.Start, earlier.Count));
        }

        return [.. args.Where((_, index) => !dropped.Contains(index))];
    }

    /// <summary>
    /// Whether the token after the flag is its value: always for a flag that needs one; for a
    /// flag whose value may be left out (a boolean), only a value it can take, as the parser reads it.
    /// </summary>
    private static bool TakesNext(Option option, string next)
    {
        if (option.Arity.MinimumNumberOfValues > 0)
        {
            return true;
        }

        if (option.Arity.MaximumNumberOfValues == 0)
        {
            return false;
        }

        var type = Nullable.GetUnderlyingType(option.ValueType) ?? option.ValueType;
        return type == typeof(bool) ? bool.TryParse(next, out _) : !next.StartsWith('-');
    }
}

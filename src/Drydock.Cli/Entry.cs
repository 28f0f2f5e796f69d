using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using System.Text;

namespace Drydock.Cli;

/// <summary>Builds the command tree and runs it; maps the program name to its default command.</summary>
public static class Entry
{
    /// <param name="args">The command line, without the program name.</param>
    /// <param name="environment">Looks up an environment variable; the program passes the process's own, and nothing below reads it directly.</param>
    public static async Task<int> RunAsync(string[] args, Func<string, string?> environment)
    {
        // Not a RootCommand: that one is named after argv[0], so through the `executor` link its name
        // would collide with the build command's `executor` alias (a Native AOT binary sees the link's name).
        var root = new Command("drydock", "Drydock builds container images from a Dockerfile with no daemon and pushes them to any registry.")
        {
            new HelpOption(),
            new VersionOption(),
        };
        var build = BuildCommand.Create(environment);
        root.Subcommands.Add(build);
        var warm = WarmCommand.Create(environment);
        root.Subcommands.Add(warm);
        root.Subcommands.Add(ImageCommand.Create(environment));
        root.Subcommands.Add(VersionCommand.Create());

        // The executor image ships this binary as /kaniko/executor: through that name it is `drydock executor`,
        // except for `executor version`, kaniko's own subcommand (a build takes no positional argument there).
        // As /kaniko/warmer it is `drydock warm`.
        var invokedAs = InvokedAs();
        if (invokedAs == "executor" && args is not ["version", ..])
        {
            args = ["executor", .. args];
        }
        else if (invokedAs == "warmer")
        {
            args = [warm.Name, .. args];
        }

        // As with kaniko (pflag), a single-value flag of a kaniko command given again replaces the earlier value.
        if (args is [var name, .. var rest] && new[] { build, warm }.FirstOrDefault(c => name == c.Name || c.Aliases.Contains(name)) is { } kanikoCommand)
        {
            args = [name, .. RepeatedFlags.KeepLast(kanikoCommand, rest)];
        }

        try
        {
            return await RunParsedAsync(root, args).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Last line of defence: a crash must still read as one error and exit 1, never 134.
            await Console.Error.WriteLineAsync($"ERROR {e.Message}").ConfigureAwait(false);
            return 1;
        }
    }

    private static async Task<int> RunParsedAsync(Command root, string[] args)
    {
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // Only the errors and where to read more: the full help would bury them.
            foreach (var error in Reported(parsed.Errors))
            {
                await Console.Error.WriteLineAsync($"ERROR {error.Message}").ConfigureAwait(false);
            }

            var command = string.Join(' ', ["drydock", .. CommandPath(parsed.CommandResult)]);
            await Console.Error.WriteLineAsync($"Run '{command} --help' for the flags.").ConfigureAwait(false);
            return 1;
        }

        return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }).ConfigureAwait(false);
    }

    /// <summary>
    /// The errors worth saying. An unknown flag also leaves the words after it unmatched; those
    /// follow from it, so it is said alone.
    /// </summary>
    public static IEnumerable<ParseError> Reported(IReadOnlyList<ParseError> errors)
    {
        var unknownFlags = errors.Where(e => e.Message.StartsWith(BuildFlags.UnknownFlagPrefix, StringComparison.Ordinal)).ToArray();
        return unknownFlags.Length > 0 ? unknownFlags : errors;
    }

    /// <summary>The names from the root down to a command (<c>image inspect</c>), without the root's.</summary>
    private static IEnumerable<string> CommandPath(CommandResult result) =>
        result.Parent is null ? [] : result.Parent is CommandResult parent ? [.. CommandPath(parent), result.Command.Name] : [result.Command.Name];

    /// <summary>
    /// The name the program was started under. /proc/self/cmdline keeps argv[0] as the caller gave it,
    /// where the runtime's own view resolves the link to the real binary.
    /// </summary>
    private static string InvokedAs()
    {
        try
        {
            var cmdline = File.ReadAllBytes("/proc/self/cmdline");
            var end = Array.IndexOf(cmdline, (byte)0);
            return Path.GetFileName(Encoding.UTF8.GetString(cmdline, 0, end < 0 ? cmdline.Length : end));
        }
        catch (IOException)
        {
            return "drydock";
        }
    }
}

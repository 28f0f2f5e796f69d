using System.CommandLine;
using System.Reflection;

namespace Drydock.Cli;

/// <summary>
/// `drydock version` (and `/kaniko/executor version`, as kaniko answers it): one line naming the
/// release and the commit it was built from, for CI logs and bug reports.
/// </summary>
public static class VersionCommand
{
    public static Command Create()
    {
        var command = new Command("version", "Print Drydock's version.");
        command.SetAction(_ => Console.Out.WriteLine($"Drydock version: {Version} (kaniko-compatible executor)"));
        return command;
    }

    /// <summary>The informational version: the release, then <c>+</c> and the source commit when the build knew it.</summary>
    public static string Version { get; } =
        typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
}

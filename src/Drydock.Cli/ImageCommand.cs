using System.CommandLine;
using Drydock.Registry.Errors;

namespace Drydock.Cli;

/// <summary>
/// `drydock image inspect|copy`: small registry tools for scripts and tests, on the same client,
/// registry flags and credentials as `build`. Results go to stdout, errors to stderr as
/// <c>ERROR message</c> with exit code 1.
/// </summary>
public static class ImageCommand
{
    /// <param name="environment">Looks up an environment variable; the entry point passes the process's own.</param>
    public static Command Create(Func<string, string?> environment)
    {
        var command = new Command("image", "Inspect and copy images in registries.");
        command.Subcommands.Add(ImageInspectCommand.Create(environment));
        command.Subcommands.Add(ImageCopyCommand.Create(environment));
        return command;
    }

    /// <summary>Runs a subcommand's work, turning failures into one error line and an exit code.</summary>
    internal static async Task<int> RunAsync(Func<Task> work, CancellationToken cancellationToken)
    {
        try
        {
            await work().ConfigureAwait(false);
            return 0;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("ERROR cancelled").ConfigureAwait(false);
            return 130;
        }
        catch (Exception e) when (e is RegistryException or FormatException or InvalidDataException or InvalidOperationException or IOException)
        {
            // Registry errors already name what was done, where, and the registry's own words; never a credential.
            await Console.Error.WriteLineAsync($"ERROR {e.Message}").ConfigureAwait(false);
            return 1;
        }
    }
}

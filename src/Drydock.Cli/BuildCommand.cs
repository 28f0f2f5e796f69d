using System.CommandLine;
using Drydock.Building;
using Drydock.Sandbox;

namespace Drydock.Cli;

/// <summary>
/// `drydock build` / `drydock executor`: kaniko's flag names are canonical, docker's short forms
/// are aliases, and the context may also be given positionally as with `docker build`. The
/// command makes what the build reaches outside the process with (the chroot sandbox, the
/// Docker-config keychain) and hands them to the <see cref="Builder"/>.
/// </summary>
public static class BuildCommand
{
    /// <param name="environment">Looks up an environment variable; the entry point passes the process's own.</param>
    public static Command Create(Func<string, string?> environment)
    {
        var flags = new BuildFlags(environment);
        var command = new Command("build", "Build an image from a Dockerfile and push it.");
        flags.AddTo(command);
        command.Aliases.Add("executor");
        command.SetAction((result, cancellationToken) => RunAsync(flags, result, environment, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(BuildFlags flags, ParseResult result, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        var log = new ConsoleBuildLog(flags.Log.ToSettings(result));
        try
        {
            var options = flags.ToOptions(result);
            var builder = new Builder(new ChrootSandbox(), RegistryFlags.Keychain(environment), log, environment);
            var digest = await builder.RunAsync(options, cancellationToken).ConfigureAwait(false);
            Console.Out.WriteLine(digest);
            return 0;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            log.Error("build cancelled");
            return 130;
        }
        catch (BuildException e) when (e.Missing is { } missing)
        {
            log.Error($"{e.Message}\n{BuildFlags.HowToGive(missing)}");
            log.Debug(e.ToString());
            return 1;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            log.Error(e.Message);
            log.Debug(e.ToString());

            // A failed RUN ends the build with its command's exit code, as kaniko's does: scripts test it.
            return (e as BuildException)?.ExitCode ?? 1;
        }
    }
}

using Drydock.Build.Mounts;
using Drydock.Context;
using Drydock.Dockerfile;
using Drydock.Reference;
using Drydock.Registry.Errors;
using Drydock.Sandbox;

namespace Drydock.Build;

/// <summary>
/// RUN: the command runs in the sandbox as the stage's USER, in its WORKDIR, with its Env and ARGs,
/// its <c>--mount</c>s and its <c>--network</c>; heredocs run the way BuildKit runs them.
/// </summary>
internal sealed class RunStep(ISandbox sandbox, BuildArguments buildArgs, IBuildLog log, char escapeChar, RunMountSources mountSources, Platform platform)
{
    public async Task ExecuteAsync(RunInstruction run, StageState state, string rootfs, CancellationToken cancellationToken)
    {
        if (run.Security == "insecure")
        {
            throw new BuildException(run.Location, "RUN", "--security=insecure is not supported: Drydock never runs a build step privileged");
        }

        if (run.Devices.Count > 0)
        {
            throw new BuildException(run.Location, "RUN", "--device is not supported yet");
        }

        var argv = Argv(run, state);
        if (argv.Count == 0)
        {
            throw new BuildException(run.Location, "RUN", "no command given");
        }

        var config = state.Config.Config;
        var user = Place(run, () => UserResolver.Resolve(rootfs, config.User ?? ""));
        var workingDirectory = string.IsNullOrEmpty(config.WorkingDir) ? "/" : config.WorkingDir;

        // Docker's runtime creates a missing working directory before the command starts.
        new RootfsWriter(rootfs, new CopyOwner(0, 0), mode: null).EnsureDirectory(workingDirectory);

        var mounts = ParseMounts(run, state);
        var script = Script(run) is { } heredoc ? (heredoc.Name, Body(heredoc)) : ((string, string)?)null;
        using var setup = await PlaceAsync(
            run, () => RunMountSetup.PrepareAsync(mounts, script, workingDirectory, mountSources, run.Location, log, cancellationToken)).ConfigureAwait(false);

        var environment = ConfigEdits.SetEnv(state.RunEnvironment(buildArgs.ProxyValues), setup.Environment);
        var request = new SandboxRequest(rootfs, argv, environment, workingDirectory, user)
        {
            Mounts = setup.Mounts,
            Network = run.Network == "none" ? SandboxNetwork.None : SandboxNetwork.Host,
        };
        int exitCode;
        try
        {
            exitCode = await PlaceAsync(run, () => sandbox.RunAsync(request, log.Output, cancellationToken)).ConfigureAwait(false);
        }
        catch (ExecFormatException e)
        {
            throw new BuildException(run.Location, "RUN", ExecFormatAdvice.Explain(e, platform), e);
        }

        if (exitCode != 0)
        {
            throw new BuildException(run.Location, "RUN", $"process \"{string.Join(' ', argv)}\" did not complete successfully: exit code: {exitCode}");
        }
    }

    /// <summary>
    /// The argument vector: exec form as written, shell form through the stage's SHELL. With
    /// heredocs, as BuildKit does: a lone <c>&lt;&lt;EOF</c> is the script itself (run from
    /// /dev/pipes when it starts with #!, else handed to the shell as the command text); heredocs
    /// inside a longer command are put back after it, bodies and terminators, for the shell to read.
    /// </summary>
    public static IReadOnlyList<string> Argv(RunInstruction run, StageState state) => run.Command switch
    {
        CommandLine.ShellForm shell => [.. state.Shell, ShellText(run, shell.Text)],
        CommandLine.ExecForm exec => exec.Arguments,
        _ => throw new InvalidOperationException("unknown command form"),
    };

    private static string ShellText(RunInstruction run, string text)
    {
        if (run.Heredocs.Count == 0)
        {
            return text;
        }

        if (HeredocParser.TryParseWord(text) is null)
        {
            return text + string.Concat(run.Heredocs.Select(h => "\n" + h.Content + h.Name));
        }

        var heredoc = run.Heredocs[0];
        return Script(run) is null ? Body(heredoc) : RunMountSetup.ScriptDirectory + "/" + heredoc.Name;
    }

    /// <summary>The heredoc to run as a script file: the only one, the whole command, starting with #!.</summary>
    private static Heredoc? Script(RunInstruction run) =>
        run.Command is CommandLine.ShellForm shell
        && run.Heredocs.Count > 0
        && HeredocParser.TryParseWord(shell.Text) is not null
        && run.Heredocs[0].Content.StartsWith("#!", StringComparison.Ordinal)
            ? run.Heredocs[0]
            : null;

    private static string Body(Heredoc heredoc) => heredoc.Chomp ? HeredocParser.Chomp(heredoc.Content) : heredoc.Content;

    /// <summary>The second phase of BuildKit's mount parsing: values expanded with the stage's variables, then validated.</summary>
    private List<RunMount> ParseMounts(RunInstruction run, StageState state)
    {
        var expander = new VariableExpander(escapeChar, state.Variables());
        try
        {
            return [.. run.Mounts.Select(value => RunMountParser.Parse(value, word => expander.Word(word, run.Location)))];
        }
        catch (DockerfileException e) when (!e.HasLocation)
        {
            throw e.At(run.Location);
        }
    }

    private static T Place<T>(RunInstruction run, Func<T> step)
    {
        try
        {
            return step();
        }
        catch (Exception e) when (IsStepFailure(e))
        {
            throw new BuildException(run.Location, "RUN", e.Message, e);
        }
    }

    private static async Task<T> PlaceAsync<T>(RunInstruction run, Func<Task<T>> step)
    {
        try
        {
            return await step().ConfigureAwait(false);
        }
        catch (Exception e) when (IsStepFailure(e))
        {
            throw new BuildException(run.Location, "RUN", e.Message, e);
        }
    }

    private static bool IsStepFailure(Exception e) =>
        e is SandboxException or IOException or UnauthorizedAccessException or BuildContextException or RegistryException or FormatException or HttpRequestException;
}

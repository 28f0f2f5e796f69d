using Drydock.Building.Copy;
using Drydock.Building.Mounts;
using Drydock.Dockerfile;
using Drydock.Sandbox;

namespace Drydock.Building.Steps;

/// <summary>
/// RUN: the command runs in the sandbox as the stage's USER, in its WORKDIR, with its Env and ARGs,
/// its <c>--mount</c>s and its <c>--network</c>; heredocs run the way BuildKit runs them.
/// </summary>
internal sealed class RunStep : IStep
{
    public async Task<StepResult> ExecuteAsync(Instruction instruction, StepContext step, CancellationToken cancellationToken)
    {
        var run = (RunInstruction)instruction;
        var security = Security(run, step.Build);
        var state = step.State;
        var argv = Argv(run, state);
        if (argv.Count == 0)
        {
            throw new BuildException(run.Location, "RUN", "no command given");
        }

        var build = step.Build;
        var rootfs = await step.RootfsAsync(cancellationToken).ConfigureAwait(false);
        var config = state.Config.Config;
        var user = UserResolver.Resolve(rootfs, config.User ?? "");
        var workingDirectory = string.IsNullOrEmpty(config.WorkingDir) ? "/" : config.WorkingDir;

        // Docker's runtime creates a missing working directory before the command starts, owned by
        // root whatever the USER (BuildKit's executor does the same; only WORKDIR gives the user).
        new RootfsWriter(rootfs, new CopyOwner(0, 0), mode: null).EnsureDirectory(workingDirectory);

        var mounts = ParseMounts(run, state, build.Document.EscapeChar);
        var script = Script(run) is { } heredoc ? (heredoc.Name, Body(heredoc)) : ((string, string)?)null;
        using var setup = await RunMountSetup.PrepareAsync(mounts, script, workingDirectory, MountSources(step), run.Location, build.Log, cancellationToken).ConfigureAwait(false);

        // In place nothing can be mounted: the mounts' contents are put in place for the command instead.
        var inPlace = build.Roots.InPlace is not null;
        var placed = await InPlaceMounts.PlaceAsync(inPlace ? setup.Mounts : [], rootfs, build.Roots.Ignored, cancellationToken).ConfigureAwait(false);
        await using var placedMounts = placed.ConfigureAwait(false);
        var environment = WithHome(ConfigEdits.SetEnv(state.RunEnvironment(build.Arguments.ProxyValues), setup.Environment), user);
        var request = new SandboxRequest(rootfs, argv, environment, workingDirectory, user)
        {
            Mounts = inPlace ? [] : setup.Mounts,
            Network = run.Network == "none" ? SandboxNetwork.None : SandboxNetwork.Host,
            Security = security,
        };
        int exitCode;
        try
        {
            exitCode = await build.Sandbox.RunAsync(request, build.Log.Output, cancellationToken).ConfigureAwait(false);
        }
        catch (ExecFormatException e)
        {
            throw new BuildException(run.Location, "RUN", ExecFormatAdvice.Explain(e, step.Platform), e);
        }

        if (exitCode != 0)
        {
            throw new BuildException(run.Location, "RUN", $"process \"{string.Join(' ', argv)}\" did not complete successfully: exit code: {exitCode}")
            {
                ExitCode = exitCode,
            };
        }

        return StepResult.FileChange(History.RunCreatedBy(argv));
    }

    /// <summary>
    /// The process environment with HOME set to the user's home directory when it sets none or an
    /// empty one, as runc does for Docker and BuildKit. Only the process gets it, never the image's Env.
    /// </summary>
    private static IReadOnlyList<string> WithHome(IReadOnlyList<string> environment, RunUser user)
    {
        var home = environment.LastOrDefault(e => e.StartsWith("HOME=", StringComparison.Ordinal));
        return home is { Length: > 5 } ? environment : ConfigEdits.SetEnv(environment, [new("HOME", user.Home)]);
    }

    /// <summary>
    /// The confinement the step runs under, and the RUN options Drydock refuses: this is the one
    /// place that decides them. <c>--security=insecure</c> runs unconfined only in a build that
    /// allowed it, as BuildKit's <c>security.insecure</c> entitlement, and says so in the log.
    /// </summary>
    private static SandboxSecurity Security(RunInstruction run, BuildState build)
    {
        if (run.Devices.Count > 0)
        {
            throw new BuildException(run.Location, "RUN", "--device is not supported yet");
        }

        if (run.Security != "insecure")
        {
            return SandboxSecurity.Sandbox;
        }

        if (!build.AllowInsecure)
        {
            throw new BuildException(
                run.Location, "RUN",
                "--security=insecure is not allowed: the step would run with every capability and no seccomp filter, so the build must be started with the security.insecure entitlement")
            {
                Missing = new MissingBuildInput(BuildInputKind.Entitlement, "security.insecure"),
            };
        }

        build.Log.Warn($"{run.Location}: RUN --security=insecure: this step runs unconfined (every capability, no seccomp filter, /proc and /sys unmasked)");
        return SandboxSecurity.Insecure;
    }

    /// <summary>What the RUN's mounts read from: the context, earlier stages and images, the build's caches, secrets and agents.</summary>
    private static RunMountSources MountSources(StepContext step)
    {
        var build = step.Build;
        return new RunMountSources(
            build.Context,
            (from, ct) => build.Stages.RootfsAsync(from, step.Stage, step.Platform, ct),
            build.RunMounts.Cache,
            build.RunMounts.Secrets,
            build.RunMounts.SshAgents,
            build.Work.Path,
            build.Environment);
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
    public static List<RunMount> ParseMounts(RunInstruction run, StageState state, char escapeChar)
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
}

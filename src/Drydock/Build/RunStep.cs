using Drydock.Dockerfile;
using Drydock.Sandbox;

namespace Drydock.Build;

/// <summary>RUN: the command runs in the sandbox as the stage's USER, in its WORKDIR, with its Env and ARGs.</summary>
internal sealed class RunStep(ISandbox sandbox, BuildArguments buildArgs, IBuildLog log)
{
    public async Task ExecuteAsync(RunInstruction run, StageState state, string rootfs, CancellationToken cancellationToken)
    {
        if (run.Mounts.Count > 0 || run.Heredocs.Count > 0 || run.Network != "default" || run.Security != "sandbox" || run.Devices.Count > 0)
        {
            throw new BuildException(run.Location, "RUN", "--mount, --network, --security, --device and heredocs are not supported yet");
        }

        var argv = Argv(run, state);
        if (argv.Count == 0)
        {
            throw new BuildException(run.Location, "RUN", "no command given");
        }

        var config = state.Config.Config;
        RunUser user;
        try
        {
            user = UserResolver.Resolve(rootfs, config.User ?? "");
        }
        catch (SandboxException e)
        {
            throw new BuildException(run.Location, "RUN", e.Message, e);
        }

        var workingDirectory = string.IsNullOrEmpty(config.WorkingDir) ? "/" : config.WorkingDir;

        // Docker's runtime creates a missing working directory before the command starts.
        new RootfsWriter(rootfs, new CopyOwner(0, 0), mode: null).EnsureDirectory(workingDirectory);

        var request = new SandboxRequest(rootfs, argv, state.RunEnvironment(buildArgs.ProxyValues), workingDirectory, user);
        var exitCode = await sandbox.RunAsync(request, log.Output, cancellationToken).ConfigureAwait(false);
        if (exitCode != 0)
        {
            throw new BuildException(run.Location, "RUN", $"process \"{string.Join(' ', argv)}\" did not complete successfully: exit code: {exitCode}");
        }
    }

    /// <summary>The argument vector: exec form as written, shell form through the stage's SHELL.</summary>
    public static IReadOnlyList<string> Argv(RunInstruction run, StageState state) => run.Command switch
    {
        CommandLine.ShellForm shell => [.. state.Shell, shell.Text],
        CommandLine.ExecForm exec => exec.Arguments,
        _ => throw new InvalidOperationException("unknown command form"),
    };
}

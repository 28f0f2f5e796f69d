using Drydock.Dockerfile;
using Drydock.Oci;

namespace Drydock.Building.Steps;

/// <summary>The instructions that change only the image config (and ARG, which changes only the build's variables).</summary>
internal sealed class ConfigStep : IStep
{
    public static bool Handles(Instruction instruction) => instruction is EnvInstruction or ArgInstruction or LabelInstruction
        or UserInstruction or ExposeInstruction or CmdInstruction or EntrypointInstruction
        or StopSignalInstruction or ShellInstruction or MaintainerInstruction or HealthcheckInstruction or OnbuildInstruction;

    public Task<StepResult> ExecuteAsync(Instruction instruction, StepContext step, CancellationToken cancellationToken)
    {
        Apply(instruction, step.State, step.Build.Arguments);
        return Task.FromResult(StepResult.ConfigOnly(History.CreatedBy(instruction)));
    }

    private static void Apply(Instruction instruction, StageState state, BuildArguments buildArgs)
    {
        switch (instruction)
        {
            case EnvInstruction env:
                state.UpdateConfig(c => c with { Env = ConfigEdits.SetEnv(c.Env, env.Variables.Select(v => new KeyValuePair<string, string>(v.Key, v.Value))) });
                break;
            case ArgInstruction arg:
                foreach (var definition in arg.Args)
                {
                    state.DeclareArg(definition.Name, buildArgs.Value(definition.Name, definition.DefaultValue));
                }

                break;
            case LabelInstruction label:
                state.UpdateConfig(c => c with { Labels = ConfigEdits.SetLabels(c.Labels, label.Labels.Select(l => new KeyValuePair<string, string>(l.Key, l.Value))) });
                break;
            case UserInstruction user:
                state.UpdateConfig(c => c with { User = user.User });
                break;
            case ExposeInstruction expose:
                state.UpdateConfig(c => c with { ExposedPorts = ConfigEdits.AddExposedPorts(c.ExposedPorts, expose.Ports) });
                break;
            case CmdInstruction cmd:
                state.UpdateConfig(c => c with { Cmd = CommandArgs(cmd.Command, state), ArgsEscaped = false });
                state.CmdSetInStage = true;
                break;
            case EntrypointInstruction entrypoint:
                // Docker: a new ENTRYPOINT drops a CMD inherited from the base image.
                state.UpdateConfig(c => c with { Entrypoint = CommandArgs(entrypoint.Command, state), Cmd = state.CmdSetInStage ? c.Cmd : null });
                break;
            case StopSignalInstruction stop:
                state.UpdateConfig(c => c with { StopSignal = stop.Signal });
                break;
            case ShellInstruction shell:
                state.UpdateConfig(c => c with { Shell = shell.Shell });
                break;
            case MaintainerInstruction maintainer:
                state.SetAuthor(maintainer.Maintainer);
                break;
            case HealthcheckInstruction health:
                state.UpdateConfig(c => c with { Healthcheck = Healthcheck(health) });
                break;
            case OnbuildInstruction onbuild:
                state.UpdateConfig(c => c with { OnBuild = [.. c.OnBuild ?? [], onbuild.Expression] });
                break;
            default:
                throw new ArgumentException($"{instruction.Keyword} is not a config instruction", nameof(instruction));
        }
    }

    /// <summary>CMD/ENTRYPOINT as stored in the config: exec form as is, shell form through SHELL.</summary>
    private static IReadOnlyList<string>? CommandArgs(CommandLine command, StageState state) => command switch
    {
        CommandLine.ShellForm shell => [.. state.Shell, shell.Text],
        CommandLine.ExecForm { Arguments.Count: 0 } => null,
        CommandLine.ExecForm exec => exec.Arguments,
        _ => throw new InvalidOperationException("unknown command form"),
    };

    /// <summary>A new HEALTHCHECK replaces the inherited one whole, as in docker; zero durations mean "runtime default".</summary>
    private static HealthcheckConfig Healthcheck(HealthcheckInstruction health) => health.IsNone
        ? new HealthcheckConfig { Test = ["NONE"] }
        : new HealthcheckConfig
        {
            Test = health.Test,
            Interval = health.IntervalNanoseconds,
            Timeout = health.TimeoutNanoseconds,
            StartPeriod = health.StartPeriodNanoseconds,
            StartInterval = health.StartIntervalNanoseconds,
            Retries = health.Retries,
        };
}

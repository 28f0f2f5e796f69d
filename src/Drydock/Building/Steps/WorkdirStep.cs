using Drydock.Building.Copy;
using Drydock.Dockerfile;

namespace Drydock.Building.Steps;

/// <summary>WORKDIR: sets the working directory and creates it (owned by root) when it is missing, as docker does.</summary>
internal sealed class WorkdirStep : IStep
{
    public async Task<StepResult> ExecuteAsync(Instruction instruction, StepContext step, CancellationToken cancellationToken)
    {
        var workdir = (WorkdirInstruction)instruction;
        var directory = ConfigEdits.ResolveWorkingDir(step.State.Config.Config.WorkingDir, workdir.Path);
        step.State.UpdateConfig(c => c with { WorkingDir = directory });
        var rootfs = await step.RootfsAsync(cancellationToken).ConfigureAwait(false);
        new RootfsWriter(rootfs, new CopyOwner(0, 0), mode: null).EnsureDirectory(directory);
        return StepResult.FileChange(History.CreatedBy(workdir));
    }
}

using Drydock.Building.Copy;
using Drydock.Dockerfile;

namespace Drydock.Building.Steps;

/// <summary>
/// WORKDIR: sets the working directory and creates its missing directories (0755) owned by the
/// current USER, as BuildKit's mkdir with the stage's user does; directories that exist are left as they are.
/// </summary>
internal sealed class WorkdirStep : IStep
{
    public async Task<StepResult> ExecuteAsync(Instruction instruction, StepContext step, CancellationToken cancellationToken)
    {
        var workdir = (WorkdirInstruction)instruction;
        var directory = ConfigEdits.ResolveWorkingDir(step.State.Config.Config.WorkingDir, workdir.Path);
        step.State.UpdateConfig(c => c with { WorkingDir = directory });
        var rootfs = await step.RootfsAsync(cancellationToken).ConfigureAwait(false);
        var owner = CopyOwner.ForUser(rootfs, step.State.Config.Config.User);
        new RootfsWriter(rootfs, owner, mode: null).EnsureDirectory(directory);
        return StepResult.FileChange(History.CreatedBy(workdir));
    }
}

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
        var directory = SetWorkingDir(workdir, step.State);
        var rootfs = await step.RootfsAsync(cancellationToken).ConfigureAwait(false);
        var owner = CopyOwner.ForUser(rootfs, step.State.Config.Config.User);
        new RootfsWriter(rootfs, owner, mode: null).EnsureDirectory(directory);
        return StepResult.FileChange(History.CreatedBy(workdir));
    }

    /// <summary>What WORKDIR does to the config (all a cache hit still does): the working directory, resolved against the one before.</summary>
    public static string SetWorkingDir(WorkdirInstruction workdir, StageState state)
    {
        var directory = ConfigEdits.ResolveWorkingDir(state.Config.Config.WorkingDir, workdir.Path);
        state.UpdateConfig(c => c with { WorkingDir = directory });
        return directory;
    }
}

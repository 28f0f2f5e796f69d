using Drydock.Dockerfile;

namespace Drydock.Building.Steps;

/// <summary>
/// The handler of one instruction family. Every handler has this one shape, as BuildKit's
/// dispatch has one function per instruction family: the instruction (its words already
/// expanded), the step's context, and what the step leaves in the image's history.
/// </summary>
internal interface IStep
{
    /// <exception cref="BuildException">The instruction cannot be carried out; the message names its line.</exception>
    Task<StepResult> ExecuteAsync(Instruction instruction, StepContext step, CancellationToken cancellationToken);
}

/// <summary>What a step leaves in the image's history.</summary>
/// <param name="CreatedBy">The history entry's created_by text.</param>
/// <param name="ChangesFiles">
/// Whether the step may have changed the filesystem, so a snapshot follows it (and a layer when
/// something changed); false for the config-only instructions, which add an empty-layer entry.
/// </param>
internal sealed record StepResult(string CreatedBy, bool ChangesFiles)
{
    public static StepResult FileChange(string createdBy) => new(createdBy, ChangesFiles: true);

    public static StepResult ConfigOnly(string createdBy) => new(createdBy, ChangesFiles: false);
}

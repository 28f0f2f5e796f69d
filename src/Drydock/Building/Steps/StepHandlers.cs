using Drydock.Dockerfile;

namespace Drydock.Building.Steps;

/// <summary>Which handler carries out an instruction: the one dispatch table of the builder.</summary>
internal static class StepHandlers
{
    // Handlers keep nothing between steps: what a step needs comes in its StepContext.
    private static readonly RunStep RunHandler = new();
    private static readonly CopyStep CopyHandler = new();
    private static readonly WorkdirStep WorkdirHandler = new();
    private static readonly VolumeStep VolumeHandler = new();
    private static readonly ConfigStep ConfigHandler = new();

    /// <summary>The handler of the instruction's family, or null for an instruction not supported yet.</summary>
    public static IStep? For(Instruction instruction) => instruction switch
    {
        RunInstruction => RunHandler,
        CopyInstruction or AddInstruction => CopyHandler,
        WorkdirInstruction => WorkdirHandler,
        VolumeInstruction => VolumeHandler,
        _ when ConfigStep.Handles(instruction) => ConfigHandler,
        _ => null,
    };
}

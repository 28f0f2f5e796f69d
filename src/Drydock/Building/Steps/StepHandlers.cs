using Drydock.Dockerfile;

namespace Drydock.Building.Steps;

/// <summary>Which handler carries out an instruction: the one dispatch table of the builder.</summary>
internal static class StepHandlers
{
    /// <summary>The handler of the instruction's family, or null for an instruction not supported yet.</summary>
    public static IStep? For(Instruction instruction) => instruction switch
    {
        RunInstruction => RunStep.Instance,
        CopyInstruction or AddInstruction => CopyStep.Instance,
        WorkdirInstruction => WorkdirStep.Instance,
        _ when ConfigStep.Handles(instruction) => ConfigStep.Instance,
        _ => null,
    };
}

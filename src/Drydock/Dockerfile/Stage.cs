namespace Drydock.Dockerfile;

/// <summary>A build stage: its FROM and the instructions after it, up to the next FROM.</summary>
/// <param name="Index">0-based position among the stages (what <c>COPY --from=0</c> refers to).</param>
public sealed record Stage(int Index, FromInstruction From, IReadOnlyList<Instruction> Instructions)
{
    /// <summary>The lower-cased name after AS, or null.</summary>
    public string? Name => From.StageName;
}

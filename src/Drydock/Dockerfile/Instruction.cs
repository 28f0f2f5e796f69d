namespace Drydock.Dockerfile;

/// <summary>
/// A validated Dockerfile instruction. Parsed once from the AST; the builder dispatches on the
/// concrete type. Values are kept as written (unexpanded); see <see cref="ExpandableInstruction"/>.
/// </summary>
public abstract record Instruction
{
    /// <summary>The instruction word in upper case (<c>RUN</c>, <c>COPY</c>, …).</summary>
    public abstract string Keyword { get; }

    public required SourceLocation Location { get; init; }

    /// <summary>The instruction as written: continuation lines joined, outer whitespace trimmed.</summary>
    public required string Original { get; init; }
}

/// <summary>
/// An instruction whose words BuildKit expands with the build's variables (ARG and ENV values)
/// before it runs: ADD, ARG, COPY, ENV, EXPOSE, FROM, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR.
/// RUN, CMD and ENTRYPOINT are never expanded here: their shell does that at run time.
/// </summary>
public abstract record ExpandableInstruction : Instruction
{
    /// <summary>A copy with every expandable word expanded; this instance is unchanged.</summary>
    /// <exception cref="DockerfileException">Bad substitution syntax or <c>${x?}</c> on an unset variable, placed at this instruction.</exception>
    public abstract ExpandableInstruction Expand(VariableExpander expander);
}

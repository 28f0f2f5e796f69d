using System.Text.RegularExpressions;

namespace Drydock.Dockerfile;

/// <summary>
/// <c>ONBUILD &lt;INSTRUCTION&gt;</c>: recorded in the image and run when another build uses it as a
/// base. Not validated further here; the expression is parsed when it is triggered.
/// </summary>
public sealed partial record OnbuildInstruction : Instruction
{
    public override string Keyword => "ONBUILD";

    /// <summary>The trigger's instruction word, upper-cased (<c>RUN</c>, <c>COPY</c>, …).</summary>
    public required string Trigger { get; init; }

    /// <summary>
    /// What goes into the image config: the line without its <c>ONBUILD</c>, followed by any
    /// heredoc bodies each with its terminator, so it can be parsed again later.
    /// </summary>
    public required string Expression { get; init; }

    internal static OnbuildInstruction Parse(InstructionRequest request)
    {
        if (request.Args.Count == 0)
        {
            throw Usage.AtLeastOneArgument(Keywords.Onbuild);
        }
        request.Flags.Parse();

        var trigger = request.Args[0].Trim().ToUpperInvariant();
        switch (trigger)
        {
            case "ONBUILD":
                throw new DockerfileException(
                    "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed", "use a single ONBUILD");
            case "MAINTAINER" or "FROM":
                throw new DockerfileException(
                    $"{trigger} isn't allowed as an ONBUILD trigger", "ONBUILD cannot start a stage or set the maintainer");
        }

        var expression = LeadingOnbuild().Replace(request.Node.Original, "");
        foreach (var heredoc in request.Node.Heredocs)
        {
            expression += "\n" + heredoc.Content + heredoc.Name;
        }
        return new OnbuildInstruction
        {
            Location = request.Location,
            Original = request.Original,
            Trigger = trigger,
            Expression = expression,
        };
    }

    // Go's \s (ASCII whitespace without \v), case-insensitive keyword.
    [GeneratedRegex(@"\A[\t\n\f\r ]*ONBUILD[\t\n\f\r ]*", RegexOptions.IgnoreCase)]
    private static partial Regex LeadingOnbuild();
}

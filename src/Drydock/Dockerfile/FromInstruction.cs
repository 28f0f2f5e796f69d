using System.Text.RegularExpressions;
using Drydock.Foundation.GoFormats;

namespace Drydock.Dockerfile;

/// <summary><c>FROM [--platform=&lt;p&gt;] &lt;image&gt; [AS &lt;name&gt;]</c>: starts a build stage.</summary>
public sealed partial record FromInstruction : ExpandableInstruction
{
    public override string Keyword => "FROM";

    /// <summary>The base: an image reference, an earlier stage's name, or <c>scratch</c>.</summary>
    public required string Image { get; init; }

    /// <summary>The stage name after AS, lower-cased; null for an unnamed stage.</summary>
    public string? StageName { get; init; }

    /// <summary>The <c>--platform</c> value; null when not given.</summary>
    public string? Platform { get; init; }

    /// <summary>Expands the image and platform (with the meta ARGs, in BuildKit). The stage name is never expanded.</summary>
    public override FromInstruction Expand(VariableExpander expander) => this with
    {
        Image = expander.Word(Image, Location),
        Platform = expander.OptionalWord(Platform, Location),
    };

    internal static FromInstruction Parse(InstructionRequest request)
    {
        var args = request.Args;
        string? stageName = null;
        if (args.Count == 3 && args[1].Equals("as", StringComparison.OrdinalIgnoreCase))
        {
            stageName = args[2].ToLowerInvariant();
            if (!StageNamePattern().IsMatch(stageName))
            {
                throw new DockerfileException(
                    $"invalid name for build stage: {GoStrings.Quote(args[2])}, name can't start with a number or contain symbols",
                    "a stage name is a letter followed by letters, digits, '-', '_' or '.'");
            }
        }
        else if (args.Count != 1)
        {
            throw new DockerfileException("FROM requires either one or three arguments", Usage.Of(Keywords.From));
        }

        var platform = request.Flags.String("platform");
        request.Flags.Parse();
        return new FromInstruction
        {
            Location = request.Location,
            Original = request.Original,
            Image = args[0],
            StageName = stageName,
            Platform = platform.OptionalValue,
        };
    }

    [GeneratedRegex(@"\A[a-z][a-z0-9\-_.]*\z")]
    private static partial Regex StageNamePattern();
}

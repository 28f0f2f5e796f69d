using System.Globalization;

namespace Drydock.Dockerfile;

/// <summary>A parsed and validated Dockerfile: meta ARGs and stages, ready for the builder.</summary>
/// <param name="MetaArgs">ARG instructions before the first FROM; their variables are visible to every FROM line.</param>
/// <param name="EscapeChar">The escape character in force (<c>\</c> or a backtick); expansion must use the same.</param>
public sealed record DockerfileDocument(
    string FileName,
    char EscapeChar,
    IReadOnlyList<ParserDirective> Directives,
    IReadOnlyList<ArgInstruction> MetaArgs,
    IReadOnlyList<Stage> Stages,
    IReadOnlyList<ParserWarning> Warnings)
{
    /// <summary>
    /// The stage a <c>--target</c> or <c>COPY --from</c> names: by name (case-insensitive) or by
    /// index; null when there is none.
    /// </summary>
    public Stage? FindStage(string nameOrIndex)
    {
        ArgumentNullException.ThrowIfNull(nameOrIndex);
        var byName = Stages.FirstOrDefault(s => string.Equals(s.Name, nameOrIndex, StringComparison.OrdinalIgnoreCase));
        if (byName is not null)
        {
            return byName;
        }
        return int.TryParse(nameOrIndex, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < Stages.Count
            ? Stages[index]
            : null;
    }

    /// <summary>A parser directive's value (<c>syntax</c>, <c>escape</c>, <c>check</c>), or null.</summary>
    public string? Directive(string name) =>
        Directives.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase))?.Value;
}

namespace Drydock.Dockerfile;

/// <summary>
/// Which stages a build runs, in what order: the target stage (by <c>--target</c>, else the last)
/// and, when unused stages are skipped, only the stages it depends on through <c>FROM stage</c>,
/// <c>COPY --from=stage</c> and <c>RUN --mount=from=stage</c>. Dependencies are found with the
/// meta ARGs, as BuildKit does.
/// </summary>
public sealed record BuildPlan(Stage Target, IReadOnlyList<Stage> Stages)
{
    public static BuildPlan Create(DockerfileDocument document, IReadOnlyDictionary<string, string> metaVariables, string? target, bool skipUnusedStages)
    {
        ArgumentNullException.ThrowIfNull(document);
        var targetStage = target is null
            ? document.Stages[^1]
            : document.Stages.FirstOrDefault(s => string.Equals(s.Name, target, StringComparison.OrdinalIgnoreCase))
              ?? throw new DockerfileException($"target stage \"{target}\" could not be found", $"name one of the stages: {string.Join(", ", document.Stages.Where(s => s.Name is not null).Select(s => s.Name))}");

        var expander = new VariableExpander(document.EscapeChar, metaVariables);
        var dependencies = document.Stages.ToDictionary(s => s.Index, s => DependenciesOf(document, s, expander));
        var needed = new List<int>();
        var roots = skipUnusedStages ? [targetStage.Index] : document.Stages.Where(s => s.Index <= targetStage.Index).Select(s => s.Index);
        foreach (var root in roots)
        {
            Visit(root, [], dependencies, document, needed);
        }

        return new BuildPlan(targetStage, needed.Select(i => document.Stages[i]).ToArray());
    }

    /// <summary>
    /// The stages whose layers end up in the target's image: the target, the stage its FROM builds
    /// on, that stage's, and so on. Stages that are only copied from are not among them.
    /// </summary>
    public static IReadOnlyList<Stage> BaseChain(DockerfileDocument document, IReadOnlyDictionary<string, string> metaVariables, Stage target)
    {
        ArgumentNullException.ThrowIfNull(document);
        var expander = new VariableExpander(document.EscapeChar, metaVariables);
        var chain = new List<Stage>();
        for (Stage? stage = target; stage is not null && !chain.Contains(stage);)
        {
            chain.Add(stage);
            stage = TryExpand(expander, stage.From.Image, stage.From.Location) is { } image ? StageNamed(document, image, stage, allowIndex: false) : null;
        }

        return chain;
    }

    /// <summary>The stage a FROM or <c>COPY --from</c> value names, or null when it names an image.</summary>
    public static Stage? StageNamed(DockerfileDocument document, string name, Stage user, bool allowIndex)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(user);

        // A FROM can only build on a stage defined before it; a later name there means an image.
        var byName = document.Stages.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));
        if (byName is not null && (allowIndex || byName.Index < user.Index))
        {
            return byName;
        }

        return allowIndex && int.TryParse(name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index) && index < document.Stages.Count
            ? document.Stages[index]
            : null;
    }

    private static List<(int Stage, Instruction Where)> DependenciesOf(DockerfileDocument document, Stage stage, VariableExpander expander)
    {
        var result = new List<(int, Instruction)>();
        if (TryExpand(expander, stage.From.Image, stage.From.Location) is { } image && StageNamed(document, image, stage, allowIndex: false) is { } parent)
        {
            result.Add((parent.Index, stage.From));
        }

        foreach (var copy in stage.Instructions.OfType<CopyInstruction>())
        {
            if (copy.From is not null && TryExpand(expander, copy.From, copy.Location) is { } from && StageNamed(document, from, stage, allowIndex: true) is { } source)
            {
                result.Add((source.Index, copy));
            }
        }

        // RUN --mount=from=… may not use variables (checked at parse time), so no expansion here.
        foreach (var run in stage.Instructions.OfType<RunInstruction>())
        {
            foreach (var from in run.Mounts.Select(RunMountParser.ParseUnexpanded))
            {
                if (from.Length > 0 && StageNamed(document, from, stage, allowIndex: true) is { } source)
                {
                    result.Add((source.Index, run));
                }
            }
        }

        return result;
    }

    private static void Visit(int stage, HashSet<int> path, Dictionary<int, List<(int Stage, Instruction Where)>> dependencies, DockerfileDocument document, List<int> needed)
    {
        if (needed.Contains(stage))
        {
            return;
        }

        path.Add(stage);
        foreach (var (dependency, where) in dependencies[stage])
        {
            if (path.Contains(dependency))
            {
                var name = document.Stages[dependency].Name ?? dependency.ToString(System.Globalization.CultureInfo.InvariantCulture);
                throw new DockerfileException($"circular dependency detected on stage: {name}", "a stage cannot copy from itself or from a stage that depends on it")
                    .At(where.Location.FileName, where.Location.StartLine, where.Location.StartColumn);
            }

            Visit(dependency, path, dependencies, document, needed);
        }

        path.Remove(stage);
        needed.Add(stage);
    }

    // --from values that need stage-level variables cannot be resolved here; they then name an image.
    private static string? TryExpand(VariableExpander expander, string word, SourceLocation location)
    {
        try
        {
            return expander.Word(word, location);
        }
        catch (DockerfileException)
        {
            return null;
        }
    }
}

using Drydock.Dockerfile;

namespace Drydock.Tests.Dockerfile;

/// <summary>Short helpers for tests that parse small Dockerfiles written inline.</summary>
internal static class Df
{
    public static DockerfileDocument Parse(string text) => DockerfileParser.Parse(text);

    /// <summary>The only instruction after <c>FROM scratch</c>.</summary>
    public static T One<T>(string instructionLines)
        where T : Instruction
    {
        var stage = Parse("FROM scratch\n" + instructionLines).Stages.Single();
        return Assert.IsType<T>(Assert.Single(stage.Instructions));
    }

    /// <summary>The error a Dockerfile fails with.</summary>
    public static DockerfileException Error(string text) =>
        Assert.Throws<DockerfileException>(() => DockerfileParser.Parse(text));

    /// <summary>The error an instruction fails with (placed on line 2, after <c>FROM scratch</c>).</summary>
    public static DockerfileException ErrorOf(string instructionLines) => Error("FROM scratch\n" + instructionLines);

    public static IReadOnlyDictionary<string, string> Vars(params (string Name, string Value)[] pairs) =>
        pairs.ToDictionary(p => p.Name, p => p.Value);
}

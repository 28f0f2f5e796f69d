using Drydock.Dockerfile;
using Drydock.Dockerfile.Shell;

namespace Drydock.Tests.Dockerfile;

/// <summary>BuildKit's shell vectors: envVarTest (single word) and wordsTest (word splitting).</summary>
public sealed class ShellCorpusTests
{
    private static readonly IReadOnlyDictionary<string, string> EnvVarPresets = new Dictionary<string, string>
    {
        ["PWD"] = "/home",
        ["SHELL"] = "bash",
        ["KOREAN"] = "한국어",
        ["NULL"] = "",
    };

    public static TheoryData<int, string, string, string> EnvVarVectors()
    {
        var data = new TheoryData<int, string, string, string>();
        foreach (var v in ShellVectors.EnvVar())
        {
            data.Add(v.Line, v.Platform, v.Input, v.Expected);
        }
        return data;
    }

    public static TheoryData<int, string, string, string> WordsVectors()
    {
        var data = new TheoryData<int, string, string, string>();
        foreach (var v in ShellVectors.Words())
        {
            data.Add(v.Line, v.Input, v.Expected, string.Join('\n', v.Environment));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(EnvVarVectors))]
    public void EnvVarTest_vector(int line, string platform, string input, string expected)
    {
        // "W" vectors are Windows behaviour, where variable names are case-insensitive.
        var env = platform == "W"
            ? new Dictionary<string, string>(EnvVarPresets, StringComparer.OrdinalIgnoreCase)
            : EnvVarPresets;
        var lexer = new ShellLexer('\\');

        if (expected == "error")
        {
            Assert.Throws<DockerfileException>(() => lexer.ProcessWord(input, env));
        }
        else
        {
            Assert.True(expected == lexer.ProcessWord(input, env), $"line {line}: {input}");
        }
    }

    [Theory]
    [MemberData(nameof(WordsVectors))]
    public void WordsTest_vector(int line, string input, string expected, string environment)
    {
        var env = ShellEnvironment.FromEntries(environment.Length == 0 ? [] : environment.Split('\n'));
        var lexer = new ShellLexer('\\');

        IReadOnlyList<string> actual;
        try
        {
            actual = lexer.ProcessWords(input, env);
        }
        catch (DockerfileException)
        {
            actual = ["error"];
        }

        Assert.True(expected.Split(',').SequenceEqual(actual), $"line {line}: [{string.Join("|", actual)}]");
    }
}

using Drydock.Dockerfile;

namespace Drydock.Tests.Dockerfile;

/// <summary>Instruction words in any case, and words that are no instruction at all.</summary>
public sealed class KeywordTests
{
    [Fact]
    public void Keywords_are_case_insensitive()
    {
        var doc = Df.Parse("from alpine AS Build\nRun echo hi\ncOpY a b\nhealthCheck cmd true\nonBuild run x\n");

        var stage = Assert.Single(doc.Stages);
        Assert.Equal("build", stage.Name);
        Assert.Collection(
            stage.Instructions,
            i => Assert.IsType<RunInstruction>(i),
            i => Assert.IsType<CopyInstruction>(i),
            i => Assert.Equal(["CMD-SHELL", "true"], Assert.IsType<HealthcheckInstruction>(i).Test),
            i => Assert.Equal("RUN", Assert.IsType<OnbuildInstruction>(i).Trigger));
    }

    [Fact]
    public void Ast_keyword_is_lower_case_but_the_written_form_is_kept()
    {
        var node = DockerfileParser.ParseAst("CoPy a b").Children[0];

        Assert.Equal(("copy", "CoPy"), (node.Keyword, node.KeywordAsWritten));
        Assert.Equal("(copy \"a\" \"b\")", node.Dump());
    }

    [Fact]
    public void Unknown_instruction_parses_at_ast_level_with_one_empty_argument()
    {
        var ast = DockerfileParser.ParseAst("FROM scratch\nFOO bar baz\n");

        Assert.Equal("(foo \"\")", ast.Children[1].Dump());
    }

    [Fact]
    public void Unknown_instruction_fails_validation_keeping_the_users_case()
    {
        var e = Df.Error("FROM scratch\n\nfOo bar\n");

        Assert.Equal("unknown instruction: fOo", e.Reason);
        Assert.Equal("Dockerfile:3:1: unknown instruction: fOo", e.Message);
    }

    [Theory]
    [InlineData("RUNN echo", "RUN")]
    [InlineData("FORM alpine", "FROM")]
    [InlineData("entrypiont x", "ENTRYPOINT")]
    [InlineData("WROKDIR /x", "WORKDIR")]
    public void Misspelt_instruction_gets_a_suggestion(string line, string suggestion)
    {
        var e = Df.Error("FROM scratch\n" + line + "\n");

        Assert.Equal($"did you mean {suggestion}?", e.Hint);
        Assert.EndsWith($"\ndid you mean {suggestion}?", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Column_is_where_the_keyword_starts()
    {
        var e = Df.Error("FROM scratch\n   FOO bar\n");

        Assert.Equal((2, 4), (e.Line, e.Column));
    }
}

using Drydock.Dockerfile;
using Drydock.Dockerfile.Shell;

namespace Drydock.Tests.Dockerfile;

public sealed class HeredocTests
{
    [Fact]
    public void Run_heredoc_body_is_kept_with_its_newlines_and_counted_in_the_line_span()
    {
        var ast = DockerfileParser.ParseAst("FROM busybox\nRUN <<EOF\necho hi\n  echo $HOME\nEOF\nRUN true\n");

        var run = ast.Children[1];
        var heredoc = Assert.Single(run.Heredocs);
        Assert.Equal(new Heredoc("EOF", "echo hi\n  echo $HOME\n", Expand: true, Chomp: false, FileDescriptor: 0), heredoc);
        Assert.Equal((2, 5), (run.StartLine, run.EndLine));
        Assert.Equal((6, 6), (ast.Children[2].StartLine, ast.Children[2].EndLine));
        Assert.Equal("(run \"<<EOF\")", run.Dump());
    }

    [Fact]
    public void Run_instruction_keeps_command_raw_and_bodies_as_files()
    {
        var run = Df.One<RunInstruction>("RUN <<'EOF' | python3\nprint('hi')\nEOF\n");

        Assert.Equal(new CommandLine.ShellForm("<<'EOF' | python3"), run.Command);
        var heredoc = Assert.Single(run.Heredocs);
        Assert.Equal("print('hi')\n", heredoc.Content);
        Assert.False(heredoc.Expand);
    }

    [Fact]
    public void Dash_form_matches_tab_indented_terminator_and_copy_removes_leading_tabs()
    {
        var copy = Df.One<CopyInstruction>("COPY <<-EOT /etc/motd\n\thello\n\t\tworld\n\tEOT\n");

        Assert.Empty(copy.Sources);
        Assert.Equal("/etc/motd", copy.Destination);
        Assert.Equal(new InlineFile("EOT", "hello\nworld\n", Expand: true), Assert.Single(copy.InlineSources));
    }

    [Fact]
    public void Run_keeps_tabs_of_a_dash_heredoc_and_marks_it_chomp()
    {
        var run = Df.One<RunInstruction>("RUN <<-EOF\n\techo hi\n\tEOF\n");

        var heredoc = Assert.Single(run.Heredocs);
        Assert.True(heredoc.Chomp);
        Assert.Equal("\techo hi\n", heredoc.Content);
    }

    [Theory]
    [InlineData("<<EOF", "EOF", true)]
    [InlineData("<<'EOF'", "EOF", false)]
    [InlineData("<<\"EOF\"", "EOF", false)]
    [InlineData("<<eo'f'", "eof", false)]
    [InlineData("<<eo\\'f", "eo'f", true)]
    [InlineData("<<$EOF", "$EOF", true)]
    [InlineData("3<<EOF", "EOF", true)]
    public void Terminator_quoting_decides_name_and_expansion(string marker, string name, bool expand)
    {
        var run = Df.One<RunInstruction>($"RUN cat {marker}\nbody\n{name}\n");

        var heredoc = Assert.Single(run.Heredocs);
        Assert.Equal((name, expand, "body\n"), (heredoc.Name, heredoc.Expand, heredoc.Content));
    }

    [Fact]
    public void File_descriptor_digits_are_recorded()
    {
        var run = Df.One<RunInstruction>("RUN cat 3<<EOF\nx\nEOF\n");

        Assert.Equal(3, Assert.Single(run.Heredocs).FileDescriptor);
    }

    [Fact]
    public void Several_heredocs_on_one_line_are_read_in_order_and_may_contain_each_others_terminator()
    {
        var copy = Df.One<CopyInstruction>("COPY <<FILE1 <<FILE2 /dest/\nFILE2 is not the end\nFILE1\nsecond\nFILE2\n");

        Assert.Equal(
            [new InlineFile("FILE1", "FILE2 is not the end\n", true), new InlineFile("FILE2", "second\n", true)],
            copy.InlineSources);
        Assert.Equal((2, 6), (copy.Location.StartLine, copy.Location.EndLine));
    }

    [Fact]
    public void Heredoc_and_path_sources_mix_and_bodies_keep_quotes()
    {
        var copy = Df.One<CopyInstruction>("COPY a.txt <<EOF b.txt /dst/\nsay \"hi\" 'there'\nEOF\n");

        Assert.Equal(["a.txt", "b.txt"], copy.Sources);
        Assert.Equal("say \"hi\" 'there'\n", Assert.Single(copy.InlineSources).Data);
    }

    [Theory]
    [InlineData("RUN \"<<EOF\"")]
    [InlineData("RUN '<<EOF'")]
    [InlineData("RUN echo << EOF")]
    [InlineData("RUN echo <<")]
    [InlineData("RUN echo <<-")]
    [InlineData("RUN cat <EOF")]
    [InlineData("RUN cat <<<EOF")]
    [InlineData("RUN [\"cat\", \"<<EOF\"]")]
    [InlineData("RUN cat <<'EOF")]
    public void Things_that_look_alike_are_not_heredocs(string line)
    {
        var ast = DockerfileParser.ParseAst("FROM scratch\n" + line + "\nEOF\n");

        Assert.Empty(ast.Children[1].Heredocs);
        Assert.Equal("eof", ast.Children[2].Keyword);
    }

    [Fact]
    public void Heredocs_are_only_for_run_copy_and_add()
    {
        var ast = DockerfileParser.ParseAst("FROM scratch\nUSER <<X\nfoo\nX\n");

        Assert.Equal(["from", "user", "foo", "x"], ast.Children.Select(n => n.Keyword));
    }

    [Fact]
    public void Unquoted_terminator_with_unbalanced_quote_is_an_error_as_a_single_word()
    {
        Assert.Throws<DockerfileException>(() => HeredocParser.ParseWord("<<'EOF"));
        Assert.Throws<DockerfileException>(() => HeredocParser.ParseWord("<<EOF\""));
        Assert.Null(HeredocParser.ParseWord("<<"));
    }

    [Fact]
    public void Unterminated_heredoc_is_an_error_at_its_instruction()
    {
        var e = Df.Error("FROM scratch\nRUN <<EOF\necho hi\n");

        Assert.Equal("unterminated heredoc", e.Reason);
        Assert.Equal(2, e.Line);
        Assert.StartsWith("Dockerfile:2:1: unterminated heredoc\n", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Copy_cannot_take_a_heredoc_as_destination()
    {
        var e = Df.ErrorOf("COPY /foo <<EOF\nx\nEOF\n");

        Assert.Equal("COPY cannot accept a heredoc as a destination", e.Reason);
    }

    [Fact]
    public void Onbuild_heredoc_is_read_and_appended_to_the_trigger_expression()
    {
        var onbuild = Df.One<OnbuildInstruction>("ONBUILD RUN <<EOF\necho hi\nEOF\n");

        Assert.Equal("RUN <<EOF\necho hi\nEOF", onbuild.Expression);
    }

    [Fact]
    public void Heredoc_continues_after_a_continued_line()
    {
        var run = Df.One<RunInstruction>("RUN --network=none \\\n  cat <<EOF\nbody\nEOF\n");

        Assert.Equal("body\n", Assert.Single(run.Heredocs).Content);
        Assert.Equal("none", run.Network);
    }

    [Fact]
    public void Copy_expansion_expands_unquoted_bodies_only_and_keeps_their_quotes()
    {
        var copy = Df.One<CopyInstruction>("COPY <<A <<'B' /dst/\nname=\"$NAME\" \\$x\nA\nname=$NAME\nB\n");

        var expanded = copy.Expand(new VariableExpander('\\', Df.Vars(("NAME", "drydock"))));

        Assert.Equal("name=\"drydock\" $x\n", expanded.InlineSources[0].Data);
        Assert.Equal("name=$NAME\n", expanded.InlineSources[1].Data);
        Assert.Equal("name=\"$NAME\" \\$x\n", copy.InlineSources[0].Data);
    }

    [Fact]
    public void Heredoc_detection_ignores_unset_variable_names()
    {
        var words = new ShellLexer { RawQuotes = true, RawEscapes = true, SkipUnsetEnv = true }
            .ProcessWords("RUN cat <<$EOF", ShellEnvironment.Empty);

        Assert.Equal(["RUN", "cat", "<<$EOF"], words);
    }
}

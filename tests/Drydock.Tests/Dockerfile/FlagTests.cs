using Drydock.Dockerfile;

namespace Drydock.Tests.Dockerfile;

/// <summary>BuildKit's BFlags rules, seen through the instructions that use them.</summary>
public sealed class FlagTests
{
    [Fact]
    public void Unknown_flag_is_an_error_with_location()
    {
        var e = Df.ErrorOf("MAINTAINER --boo joe\n");

        Assert.Equal("unknown flag: --boo", e.Reason);
        Assert.StartsWith("Dockerfile:2:1: unknown flag: --boo", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Misspelt_flag_gets_a_suggestion()
    {
        var e = Df.ErrorOf("COPY --form=build a b\n");

        Assert.Equal("did you mean --from?", e.Hint);
    }

    [Fact]
    public void Flag_names_are_case_sensitive()
    {
        Assert.Equal("unknown flag: --FROM", Df.ErrorOf("COPY --FROM=build a b\n").Reason);
    }

    [Fact]
    public void Repeating_a_single_value_flag_is_an_error()
    {
        Assert.Equal("duplicate flag specified: --chown", Df.ErrorOf("COPY --chown=a --chown=b x y\n").Reason);
        Assert.Equal("duplicate flag specified: --link", Df.ErrorOf("COPY --link --link=false x y\n").Reason);
    }

    [Fact]
    public void Repeatable_flags_collect_every_value()
    {
        var copy = Df.One<CopyInstruction>("COPY --exclude=*.md --exclude=.git . /src\n");

        Assert.Equal(["*.md", ".git"], copy.Excludes);
    }

    [Theory]
    [InlineData("--link", true)]
    [InlineData("--link=true", true)]
    [InlineData("--link=TRUE", true)]
    [InlineData("--link=False", false)]
    public void Bool_flags_take_bare_or_true_false(string flag, bool expected)
    {
        Assert.Equal(expected, Df.One<CopyInstruction>($"COPY {flag} a b\n").Link);
    }

    [Theory]
    [InlineData("--link=false1", "expecting boolean value for flag --link, not: false1")]
    [InlineData("--link=", "missing a value on flag: --link")]
    [InlineData("--chown", "missing a value on flag: --chown")]
    [InlineData("--exclude", "missing a value on flag: --exclude")]
    public void Malformed_flag_values_are_errors(string flag, string reason)
    {
        Assert.Equal(reason, Df.ErrorOf($"COPY {flag} a b\n").Reason);
    }

    [Fact]
    public void String_flag_may_be_explicitly_empty()
    {
        Assert.Equal("", Df.One<CopyInstruction>("COPY --chown= a b\n").Chown);
        Assert.Null(Df.One<CopyInstruction>("COPY a b\n").Chown);
    }

    [Fact]
    public void Double_dash_ends_the_flags()
    {
        var copy = Df.One<CopyInstruction>("COPY --link -- --not-a-flag /dst\n");

        Assert.True(copy.Link);
        Assert.Equal(["--not-a-flag"], copy.Sources);
        Assert.Equal("(copy [\"--link\"] \"--not-a-flag\" \"/dst\")", DockerfileParser.ParseAst("COPY --link -- --not-a-flag /dst").Dump());
    }

    [Fact]
    public void Flag_words_lose_their_quotes_and_escapes()
    {
        var ast = DockerfileParser.ParseAst("COPY --chown=\"app user\" --chmod='0755' --from=a\\ b x y");

        Assert.Equal(["--chown=app user", "--chmod=0755", "--from=a b"], ast.Children[0].Flags);
    }

    [Fact]
    public void Instructions_without_flags_reject_any()
    {
        var e = Df.ErrorOf("ENV --x=1 A=b\n");

        Assert.Equal("unknown flag: --x", e.Reason);
        Assert.Equal("ENV takes no flags", e.Hint);
    }

    [Fact]
    public void Arg_stopsignal_and_healthcheck_none_ignore_flags_like_buildkit()
    {
        Assert.Equal("A", Assert.Single(Df.One<ArgInstruction>("ARG --whatever A\n").Args).Name);
        Assert.Equal("SIGTERM", Df.One<StopSignalInstruction>("STOPSIGNAL --x SIGTERM\n").Signal);
        Assert.True(Df.One<HealthcheckInstruction>("HEALTHCHECK --bogus NONE\n").IsNone);
    }

    [Fact]
    public void Copy_and_add_flags_are_their_own()
    {
        Assert.Equal("unknown flag: --checksum", Df.ErrorOf("COPY --checksum=sha256:abc a b\n").Reason);
        Assert.Equal("unknown flag: --from", Df.ErrorOf("ADD --from=x a b\n").Reason);
        Assert.Equal("unknown flag: --parents", Df.ErrorOf("ADD --parents a b\n").Reason);
    }

    [Fact]
    public void Copy_flags_are_read()
    {
        var copy = Df.One<CopyInstruction>("COPY --from=build --chown=1000:1000 --chmod=0644 --link --parents a/ b/ /app/\n");

        Assert.Equal(("build", "1000:1000", "0644", true, true), (copy.From, copy.Chown, copy.Chmod, copy.Link, copy.Parents));
        Assert.Equal(["a/", "b/"], copy.Sources);
        Assert.Equal("/app/", copy.Destination);
    }

    [Fact]
    public void Add_flags_are_read_and_tristate_bools_remember_absence()
    {
        var add = Df.One<AddInstruction>(
            "ADD --chown=a --chmod=600 --link --checksum=sha256:00 --keep-git-dir=false --exclude=x https://e.org/f /f\n");

        Assert.Equal(("a", "600", true, "sha256:00"), (add.Chown, add.Chmod, add.Link, add.Checksum));
        Assert.False(add.KeepGitDir);
        Assert.Null(add.Unpack);
        Assert.Equal(["x"], add.Excludes);
        Assert.True(Df.One<AddInstruction>("ADD --unpack a.tar /\n").Unpack);
    }

    [Fact]
    public void Run_keeps_mount_network_security_and_device_values_raw()
    {
        var run = Df.One<RunInstruction>(
            "RUN --mount=type=cache,target=/root/.cache --mount=type=secret,id=tok --network=none --security=insecure make\n");

        Assert.Equal(["type=cache,target=/root/.cache", "type=secret,id=tok"], run.Mounts);
        Assert.Equal(("none", "insecure"), (run.Network, run.Security));
        Assert.Equal(["mount", "mount", "network", "security"], run.FlagsUsed);
        Assert.Equal(new CommandLine.ShellForm("make"), run.Command);
    }

    [Fact]
    public void Run_defaults_and_only_mount_used()
    {
        var run = Df.One<RunInstruction>("RUN --mount=type=tmpfs,target=/foo/ true\n");

        Assert.Equal(("default", "sandbox"), (run.Network, run.Security));
        Assert.Equal(["mount"], run.FlagsUsed);
    }

    [Theory]
    [InlineData("--network=bridge", "unsupported network mode \"bridge\"")]
    [InlineData("--security=privileged", "unsupported security mode \"privileged\"")]
    public void Run_rejects_unknown_network_and_security_modes(string flag, string reason)
    {
        Assert.Equal(reason, Df.ErrorOf($"RUN {flag} true\n").Reason);
    }

    [Fact]
    public void Hand_built_node_with_a_non_flag_word_is_rejected()
    {
        var node = DockerfileParser.ParseAst("COPY a b").Children[0] with { Flags = ["-x"] };

        var e = Assert.Throws<DockerfileException>(() => DockerfileParser.ParseInstruction(node));

        Assert.Equal("arg should start with -- : -x", e.Reason);
    }
}

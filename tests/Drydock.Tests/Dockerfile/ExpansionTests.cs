using Drydock.Dockerfile;

namespace Drydock.Tests.Dockerfile;

/// <summary>Which words are expanded, and how, for each expandable instruction.</summary>
public sealed class ExpansionTests
{
    private static readonly VariableExpander Expander = new('\\', Df.Vars(
        ("APP", "/opt/app"), ("USERNAME", "svc"), ("PORTS", "80/tcp 443"), ("V", "1.2"), ("SIG", "SIGQUIT"), ("EMPTY", "")));

    [Fact]
    public void Env_expands_keys_and_values_and_removes_quotes()
    {
        var env = Df.One<EnvInstruction>("ENV HOME_$USERNAME=\"$APP/home dir\" PLAIN=a\\ b OLD_${V}=x\n").Expand(Expander);

        Assert.Equal(
            [new KeyValue("HOME_svc", "/opt/app/home dir"), new KeyValue("PLAIN", "a b"), new KeyValue("OLD_1.2", "x")],
            env.Variables);
    }

    [Fact]
    public void Old_form_env_value_is_one_word()
    {
        var env = Df.One<EnvInstruction>("ENV PATH $APP/bin:$PATH  extra\n").Expand(Expander);

        Assert.Equal(new KeyValue("PATH", "/opt/app/bin:  extra"), Assert.Single(env.Variables));
    }

    [Fact]
    public void Label_is_expanded()
    {
        var label = Df.One<LabelInstruction>("LABEL version=\"$V\" \"com.example.app\"=$APP\n").Expand(Expander);

        Assert.Equal([new KeyValue("version", "1.2"), new KeyValue("com.example.app", "/opt/app")], label.Labels);
    }

    [Fact]
    public void Copy_expands_paths_and_flags_but_not_excludes()
    {
        var copy = Df.One<CopyInstruction>("COPY --from=$USERNAME --chown=$USERNAME --chmod=${M:-0644} --exclude=$APP src-$V \"$APP/\"\n")
            .Expand(Expander);

        Assert.Equal(("svc", "svc", "0644"), (copy.From, copy.Chown, copy.Chmod));
        Assert.Equal(["src-1.2"], copy.Sources);
        Assert.Equal("/opt/app/", copy.Destination);
        Assert.Equal(["$APP"], copy.Excludes);
    }

    [Fact]
    public void Add_expands_checksum_too()
    {
        var add = Df.One<AddInstruction>("ADD --checksum=sha256:$V https://x/$V.tgz $APP\n").Expand(Expander);

        Assert.Equal(("sha256:1.2", "https://x/1.2.tgz", "/opt/app"), (add.Checksum, add.Sources[0], add.Destination));
    }

    [Fact]
    public void Expose_splits_expanded_ports()
    {
        var expose = Df.One<ExposeInstruction>("EXPOSE 8080 $PORTS\n");

        Assert.Equal(["$PORTS", "8080"], expose.Ports);
        Assert.Equal(["80/tcp", "443", "8080"], expose.Expand(Expander).Ports);
    }

    [Fact]
    public void Single_word_instructions_are_expanded()
    {
        Assert.Equal("/opt/app/src", Df.One<WorkdirInstruction>("WORKDIR $APP/src\n").Expand(Expander).Path);
        Assert.Equal("svc:svc", Df.One<UserInstruction>("USER ${USERNAME}:$USERNAME\n").Expand(Expander).User);
        Assert.Equal("SIGQUIT", Df.One<StopSignalInstruction>("STOPSIGNAL $SIG\n").Expand(Expander).Signal);
        Assert.Equal(["/opt/app/data", "/x"], Df.One<VolumeInstruction>("VOLUME [\"$APP/data\", \"/x\"]\n").Expand(Expander).Volumes);
    }

    [Fact]
    public void Arg_expands_names_and_defaults()
    {
        var arg = Df.One<ArgInstruction>("ARG $V DIR=\"$APP/x y\" NODEFAULT ${USERNAME}_HOME=$APP\n").Expand(Expander);

        Assert.Equal(
            [new ArgDefinition("1.2", null), new ArgDefinition("DIR", "/opt/app/x y"), new ArgDefinition("NODEFAULT", null), new ArgDefinition("svc_HOME", "/opt/app")],
            arg.Args);
    }

    [Fact]
    public void Arg_name_that_expands_to_nothing_is_an_error_at_its_line()
    {
        var arg = Df.One<ArgInstruction>("ARG ${EMPTY}=x\n");

        var error = Assert.Throws<DockerfileException>(() => arg.Expand(Expander));

        Assert.StartsWith("Dockerfile:2:1: ARG name ${EMPTY} expands to nothing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_cmd_and_entrypoint_are_not_expandable()
    {
        var doc = Df.Parse("FROM a\nRUN echo $APP\nCMD $APP\nENTRYPOINT $APP\nHEALTHCHECK CMD $APP\nMAINTAINER $APP\nSHELL [\"$APP\"]\nONBUILD RUN $APP\n");

        Assert.Equal(7, doc.Stages[0].Instructions.Count);
        Assert.All(doc.Stages[0].Instructions, i => Assert.IsNotAssignableFrom<ExpandableInstruction>(i));
    }

    [Fact]
    public void Expand_returns_a_copy()
    {
        var workdir = Df.One<WorkdirInstruction>("WORKDIR $APP\n");

        var expanded = workdir.Expand(Expander);

        Assert.Equal("$APP", workdir.Path);
        Assert.Equal(workdir.Location, expanded.Location);
        Assert.Equal(workdir.Original, expanded.Original);
    }

    [Fact]
    public void Expansion_errors_are_placed_at_the_instruction()
    {
        var workdir = Df.One<WorkdirInstruction>("WORKDIR ${MISSING:?set MISSING with --build-arg}\n");

        var e = Assert.Throws<DockerfileException>(() => workdir.Expand(Expander));

        Assert.Equal(
            "Dockerfile:2:1: failed to process \"${MISSING:?set MISSING with --build-arg}\": MISSING: set MISSING with --build-arg",
            e.Message);
    }

    [Fact]
    public void Expansion_through_the_base_type()
    {
        var doc = Df.Parse("FROM a\nENV A=$APP\nRUN x\nUSER $USERNAME\n");

        var expanded = doc.Stages[0].Instructions
            .Select(i => i is ExpandableInstruction e ? e.Expand(Expander) : i)
            .ToList();

        Assert.Equal("/opt/app", Assert.IsType<EnvInstruction>(expanded[0]).Variables[0].Value);
        Assert.IsType<RunInstruction>(expanded[1]);
        Assert.Equal("svc", Assert.IsType<UserInstruction>(expanded[2]).User);
    }
}

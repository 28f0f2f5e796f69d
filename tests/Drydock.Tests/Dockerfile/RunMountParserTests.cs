using Drydock.Dockerfile;

namespace Drydock.Tests.Dockerfile;

/// <summary>RUN --mount values: BuildKit's keys, aliases, defaults and refusals, and its two parse phases.</summary>
public sealed class RunMountParserTests
{
    private static readonly Dictionary<string, string> Variables = new(StringComparer.Ordinal) { ["DIR"] = "/opt/cache", ["ID"] = "pip" };

    [Fact]
    public void Bind_is_the_default_type_and_read_only_by_default()
    {
        Assert.Equal(new RunMount { Type = RunMountType.Bind, Target = "/src", ReadOnly = true }, Parse("target=/src"));
    }

    [Theory]
    [InlineData("bind", true)]
    [InlineData("secret", true)]
    [InlineData("ssh", true)]
    [InlineData("cache", false)]
    [InlineData("tmpfs", false)]
    public void Read_only_defaults_follow_the_type(string type, bool readOnly)
    {
        Assert.Equal(readOnly, Parse($"type={type},target=/t,id=x").ReadOnly);
    }

    [Theory]
    [InlineData("type=cache,target=/t,ro", true)]
    [InlineData("type=cache,target=/t,readonly", true)]
    [InlineData("type=cache,target=/t,readonly=true", true)]
    [InlineData("type=bind,target=/t,rw", false)]
    [InlineData("type=bind,target=/t,readwrite", false)]
    [InlineData("type=bind,target=/t,rw=1", false)]
    [InlineData("type=bind,target=/t,ro=false", false)]
    [InlineData("type=cache,target=/t,rw=F", true)]
    public void Ro_and_rw_take_every_Go_boolean_and_may_stand_alone(string value, bool readOnly)
    {
        Assert.Equal(readOnly, Parse(value).ReadOnly);
    }

    [Fact]
    public void Keys_and_type_are_case_insensitive_and_aliases_mean_the_same()
    {
        var expected = new RunMount { Type = RunMountType.Cache, From = "stage", Source = "/s", Target = "/t", Id = "i" };

        Assert.Equal(expected, Parse("TYPE=Cache,From=stage,SRC=/s,Dst=/t,ID=i"));
        Assert.Equal(expected, Parse("type=cache,from=stage,source=/s,destination=/t,id=i"));
        Assert.Equal(expected, Parse("type=cache,from=stage,source=/s,target=/t,id=i"));
    }

    [Fact]
    public void Values_are_expanded_with_the_stage_variables()
    {
        var mount = Parse("type=cache,id=${ID}-cache,target=$DIR");

        Assert.Equal(("pip-cache", "/opt/cache"), (mount.Id, mount.Target));
    }

    [Fact]
    public void Cache_options_are_parsed()
    {
        var mount = Parse("type=cache,target=/c,sharing=LOCKED,mode=0700,uid=1000,gid=50");

        Assert.Equal(CacheSharing.Locked, mount.Sharing);
        Assert.Equal((0b111_000_000u, 1000u, 50u), (mount.Mode!.Value, mount.Uid!.Value, mount.Gid!.Value));
    }

    [Theory]
    [InlineData("64m", 64L << 20)]
    [InlineData("1.5g", 3L << 29)]
    [InlineData("512 KiB", 512L << 10)]
    [InlineData("100", 100L)]
    [InlineData("2Mb", 2L << 20)]
    public void Tmpfs_size_takes_RAM_units(string size, long bytes)
    {
        Assert.Equal(bytes, Parse($"type=tmpfs,target=/t,size={size}").SizeLimit);
    }

    [Fact]
    public void Secret_options_are_parsed()
    {
        var mount = Parse("type=secret,id=aws,env=AWS_KEY,required,mode=0440,uid=1,gid=2");

        Assert.Equal(new RunMount { Type = RunMountType.Secret, Id = "aws", Env = "AWS_KEY", Required = true, ReadOnly = true, Mode = 0b100_100_000, Uid = 1, Gid = 2 }, mount);
        Assert.False(Parse("type=secret,id=a,required=false").Required);
        Assert.Equal("", Parse("type=secret,id=a,env=").Env);
        Assert.Null(Parse("type=secret,id=a").Env);
    }

    [Fact]
    public void A_quoted_csv_field_may_hold_a_comma()
    {
        // The value is then expanded like any Dockerfile word, which removes the quotes "" left.
        Assert.Equal("/a,b", Parse("\"target=/a,\"\"b\"\"\"").Target);
        Assert.Equal("/a,b c", Parse("\"target=/a,b c\"").Target);
    }

    [Theory]
    [InlineData("type=volume,target=/t", "unsupported mount type \"volume\"")]
    [InlineData("type=cahce,target=/t", "unsupported mount type \"cahce\"\ndid you mean cache?")]
    [InlineData("target=/t,sharing=sometimes,type=cache", "unsupported sharing value \"sometimes\"")]
    [InlineData("target=/t,colour=red", "unexpected key 'colour' in 'colour=red'")]
    [InlineData("target=/t,sorce=x", "unexpected key 'sorce' in 'sorce=x'\ndid you mean source?")]
    [InlineData("target=/t,bogus", "invalid field 'bogus' must be a key=value pair")]
    [InlineData("target=/t,required", "unexpected key 'required' for mount type 'bind'")]
    [InlineData("required,type=secret,id=a", "unexpected key 'required' for mount type 'bind'")]
    [InlineData("type=cache,target=/t,size=1m", "unexpected key 'size' for mount type 'cache'")]
    [InlineData("type=tmpfs,target=/t,size=lots", "invalid value for size: lots")]
    [InlineData("type=bind,target=/t,ro=yes", "invalid value for ro: yes")]
    [InlineData("type=cache,target=/t,mode=0800", "invalid value 0800 for mode")]
    [InlineData("type=cache,target=/t,uid=-1", "invalid value -1 for uid")]
    [InlineData("type=cache,target=/t,gid=4294967296", "invalid value 4294967296 for gid")]
    [InlineData("type=bind,target=/t,mode=0755", "mode not allowed for \"bind\" type mounts")]
    [InlineData("type=tmpfs,target=/t,uid=0", "uid not allowed for \"tmpfs\" type mounts")]
    [InlineData("type=bind,target=/t,sharing=shared", "invalid cache sharing set for bind mount")]
    [InlineData("type=secret,id=a,from=stage", "secret mount should not have a from")]
    [InlineData("type=secret,id=a,sharing=locked", "secret mount should not define sharing")]
    [InlineData("type=secret,required", "invalid secret mount. one of source, target required")]
    [InlineData("type=secret,id=a,source=b", "both source and id can't be set")]
    [InlineData("\"target=/t", "failed to parse csv mounts: extraneous or missing \" in quoted-field")]
    [InlineData("target=/t\"x\"", "failed to parse csv mounts: bare \" in non-quoted-field")]
    public void BuildKit_refusals_are_errors(string value, string message)
    {
        var error = Assert.Throws<DockerfileException>(() => Parse(value));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void At_parse_time_only_csv_and_from_are_checked()
    {
        // Unknown keys and bad values wait for the expansion phase, as in BuildKit.
        var run = Df.One<RunInstruction>("RUN --mount=type=nonsense,colour=red,mode=$M true\n");

        Assert.Equal(["type=nonsense,colour=red,mode=$M"], run.Mounts);
        Assert.Equal("stage", RunMountParser.ParseUnexpanded("type=bind,FROM=stage,target=/t"));
        Assert.Equal("odd$", RunMountParser.ParseUnexpanded("from=odd$,target=/t"));
        Assert.Equal("", RunMountParser.ParseUnexpanded("target=/t"));
    }

    [Theory]
    [InlineData("RUN --mount=from=$STAGE,target=/t true", "Dockerfile:2:1: 'from' doesn't support variable expansion, define alias stage instead")]
    [InlineData("RUN --mount=from=${STAGE}x,target=/t true", "Dockerfile:2:1: 'from' doesn't support variable expansion, define alias stage instead")]
    [InlineData("RUN --mount='\"target=/t' true", "Dockerfile:2:1: failed to parse csv mounts: extraneous or missing \" in quoted-field")]
    [InlineData("RUN --mount= true", "Dockerfile:2:1: failed to parse csv mounts: EOF")]
    public void Parse_time_errors_name_the_line(string instruction, string message)
    {
        Assert.StartsWith(message, Df.ErrorOf(instruction + "\n").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stage_a_mount_reads_from_is_built_before_the_target()
    {
        var document = Df.Parse("FROM scratch AS tools\nFROM scratch AS unused\nFROM scratch\nRUN --mount=from=tools,target=/t true\n");

        var plan = BuildPlan.Create(document, new Dictionary<string, string>(), target: null, skipUnusedStages: true);

        Assert.Equal(["tools", null], plan.Stages.Select(s => s.Name));
    }

    private static RunMount Parse(string value) => RunMountParser.Parse(value, word => new VariableExpander('\\', Variables).Word(word, new SourceLocation("Dockerfile", 1, 1, 1)));
}

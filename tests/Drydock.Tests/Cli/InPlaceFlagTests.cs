using System.CommandLine;
using Drydock.Cli;
using Drydock.Sandbox;

namespace Drydock.Tests.Cli;

/// <summary>The isolation flags and kaniko's in-place flags, in pflag's spellings.</summary>
public sealed class InPlaceFlagTests
{
    [Fact]
    public void Defaults_are_auto_isolation_kaniko_dir_and_var_run_ignored()
    {
        var options = Options(["--no-push"]);
        Assert.Equal(Isolation.Auto, options.Isolation);
        Assert.Equal("/kaniko", options.KanikoDirectory);
        Assert.True(options.IgnoreVarRun);
        Assert.False(options.Force);
        Assert.False(options.Cleanup);
    }

    [Theory]
    [InlineData("--ignore-var-run=false")]
    [InlineData("--whitelist-var-run=false")]
    public void Var_run_can_be_snapshotted_under_either_name(string flag) =>
        Assert.False(Options(["--no-push", flag]).IgnoreVarRun);

    [Fact]
    public void Every_in_place_flag_reaches_the_options()
    {
        var options = Options(["--no-push", "--isolation", "none", "--force", "--cleanup=true", "--kaniko-dir=/opt/kaniko"]);
        Assert.Equal(Isolation.None, options.Isolation);
        Assert.True(options.Force);
        Assert.True(options.Cleanup);
        Assert.Equal("/opt/kaniko", options.KanikoDirectory);
    }

    [Fact]
    public void The_kaniko_dir_comes_from_KANIKO_DIR_unless_given()
    {
        Assert.Equal("/k", Options(["--no-push"], name => name == "KANIKO_DIR" ? "/k" : null).KanikoDirectory);
        Assert.Equal("/flag", Options(["--no-push", "--kaniko-dir", "/flag"], name => name == "KANIKO_DIR" ? "/k" : null).KanikoDirectory);
    }

    [Fact]
    public void An_unknown_isolation_is_a_parse_error() =>
        Assert.NotEmpty(Parse(["--no-push", "--isolation", "rootless"]).Result.Errors);

    [Fact]
    public void The_refusal_outside_a_container_says_how_to_confirm() =>
        Assert.Contains("--force", BuildFlags.HowToGive(new Drydock.Building.MissingBuildInput(Drydock.Building.BuildInputKind.Confirmation, "in-place")), StringComparison.Ordinal);

    private static Drydock.Building.BuildOptions Options(string[] arguments, Func<string, string?>? environment = null)
    {
        var (flags, result) = Parse(arguments, environment);
        Assert.Empty(result.Errors);
        return flags.ToOptions(result);
    }

    private static (BuildFlags Flags, ParseResult Result) Parse(string[] arguments, Func<string, string?>? environment = null)
    {
        var flags = new BuildFlags(environment ?? (_ => null));
        var command = new Command("executor");
        flags.AddTo(command);
        return (flags, command.Parse(arguments));
    }
}

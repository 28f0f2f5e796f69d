using Drydock.Building;
using Drydock.Reference;

namespace Drydock.Tests.Building;

public sealed class BuildArgumentsTests
{
    private static readonly Platform Amd64 = Platform.Parse("linux/amd64");
    private static readonly Platform Arm = Platform.Parse("linux/arm/v7");

    private static BuildArguments Create(params (string Name, string? Value)[] values) =>
        new(values.Select(v => KeyValuePair.Create(v.Name, v.Value)), name => name == "FROM_ENV" ? "env-value" : null, Arm, Amd64);

    [Fact]
    public void Command_line_beats_default_and_bare_arg_takes_the_meta_value()
    {
        var args = Create(("A", "cli"));
        args.DeclareMeta("B", "meta");
        Assert.Equal("cli", args.Value("A", "default"));
        Assert.Equal("default", args.Value("C", "default"));
        Assert.Equal("meta", args.Value("B", null));
        Assert.Null(args.Value("D", null));
    }

    [Fact]
    public void Name_without_value_comes_from_the_environment_or_is_dropped()
    {
        var args = Create(("FROM_ENV", null), ("MISSING", null));
        Assert.Equal("env-value", args.Value("FROM_ENV", null));
        Assert.Null(args.Value("MISSING", null));
    }

    [Fact]
    public void Platform_args_are_predefined_in_the_global_scope()
    {
        var args = Create();
        Assert.Equal("linux/arm/v7", args.MetaVariables["TARGETPLATFORM"]);
        Assert.Equal("arm", args.Value("TARGETARCH", null));
        Assert.Equal("v7", args.Value("TARGETVARIANT", null));
        Assert.Equal("amd64", args.Value("BUILDARCH", null));
        Assert.Equal("", args.Value("BUILDVARIANT", null));
    }

    [Fact]
    public void Unused_lists_only_undeclared_non_predefined_names()
    {
        var args = Create(("USED", "1"), ("UNUSED", "2"), ("HTTP_PROXY", "http://proxy"), ("TARGETARCH", "arm64"));
        args.Value("USED", null);
        Assert.Equal(["UNUSED"], args.Unused);
        Assert.Equal([KeyValuePair.Create("HTTP_PROXY", "http://proxy")], args.ProxyValues);
    }
}

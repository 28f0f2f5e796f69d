using Drydock.Dockerfile;

namespace Drydock.Tests.Dockerfile;

public sealed class HealthcheckTests
{
    private const long Ms = 1_000_000;
    private const long Second = 1000 * Ms;

    [Fact]
    public void Shell_form_becomes_cmd_shell()
    {
        var hc = Df.One<HealthcheckInstruction>("HEALTHCHECK CMD curl -f http://localhost/ || exit 1\n");

        Assert.Equal(["CMD-SHELL", "curl -f http://localhost/ || exit 1"], hc.Test);
        Assert.Equal((0L, 0L, 0L, 0L, 0), (hc.IntervalNanoseconds, hc.TimeoutNanoseconds, hc.StartPeriodNanoseconds, hc.StartIntervalNanoseconds, hc.Retries));
    }

    [Fact]
    public void Json_form_keeps_cmd_and_elements_and_the_type_word_is_case_insensitive()
    {
        Assert.Equal(["CMD", "/bin/check", "-q"], Df.One<HealthcheckInstruction>("HEALTHCHECK cmd [\"/bin/check\", \"-q\"]\n").Test);
    }

    [Fact]
    public void All_options_are_read()
    {
        var hc = Df.One<HealthcheckInstruction>(
            "HEALTHCHECK --interval=1m30s --timeout=500ms --start-period=1.5h --start-interval=2s --retries=5 CMD true\n");

        Assert.Equal(
            (90 * Second, 500 * Ms, 5400 * Second, 2 * Second, 5),
            (hc.IntervalNanoseconds, hc.TimeoutNanoseconds, hc.StartPeriodNanoseconds, hc.StartIntervalNanoseconds, hc.Retries));
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("0s", 0)]
    [InlineData("0h", 0)]
    [InlineData("1ms", Ms)]
    [InlineData("1000us", Ms)]
    [InlineData("1000\u00b5s", Ms)]
    [InlineData(".5s", Second / 2)]
    [InlineData("1.s", Second)]
    [InlineData("+2s", 2 * Second)]
    [InlineData("1h2m3s4ms", (3723 * Second) + (4 * Ms))]
    public void Go_durations(string value, long nanoseconds)
    {
        Assert.Equal(nanoseconds, Df.One<HealthcheckInstruction>($"HEALTHCHECK --interval={value} CMD true\n").IntervalNanoseconds);
    }

    [Theory]
    [InlineData("50ns", "Interval \"interval\" cannot be less than 1ms")]
    [InlineData("999us", "Interval \"interval\" cannot be less than 1ms")]
    [InlineData("-1s", "Interval \"interval\" cannot be less than 1ms")]
    [InlineData("5", "time: missing unit in duration \"5\"")]
    [InlineData("5x", "time: unknown unit \"x\" in duration \"5x\"")]
    [InlineData("abc", "time: invalid duration \"abc\"")]
    [InlineData(".s", "time: invalid duration \".s\"")]
    [InlineData("9999999999h", "time: invalid duration \"9999999999h\"")]
    public void Bad_durations(string value, string reason)
    {
        Assert.Equal(reason, Df.ErrorOf($"HEALTHCHECK --interval={value} CMD true\n").Reason);
    }

    [Theory]
    [InlineData("--retries=-1", "--retries cannot be negative (-1)")]
    [InlineData("--retries=x", "invalid --retries value \"x\"")]
    [InlineData("--retries=99999999999", "invalid --retries value \"99999999999\"")]
    [InlineData("--timeout", "missing a value on flag: --timeout")]
    public void Bad_retries_and_flags(string flag, string reason)
    {
        Assert.Equal(reason, Df.ErrorOf($"HEALTHCHECK {flag} CMD true\n").Reason);
    }

    [Fact]
    public void None_disables_and_takes_nothing_else()
    {
        var hc = Df.One<HealthcheckInstruction>("HEALTHCHECK none\n");

        Assert.True(hc.IsNone);
        Assert.Equal(["NONE"], hc.Test);
        Assert.Equal("HEALTHCHECK NONE takes no arguments", Df.ErrorOf("HEALTHCHECK NONE CMD x\n").Reason);
    }

    [Fact]
    public void Other_types_and_missing_commands_are_errors()
    {
        Assert.Equal("Unknown type \"CONNECT\" in HEALTHCHECK (try CMD)", Df.ErrorOf("HEALTHCHECK CONNECT TCP 7000\n").Reason);
        Assert.Equal("Missing command after HEALTHCHECK CMD", Df.ErrorOf("HEALTHCHECK CMD\n").Reason);
        Assert.Equal("Missing command after HEALTHCHECK CMD", Df.ErrorOf("HEALTHCHECK CMD []\n").Reason);
    }
}

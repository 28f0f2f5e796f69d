using System.Text.Json;
using Drydock.Cli;

namespace Drydock.Tests.Cli;

public sealed class ConsoleBuildLogTests
{
    private static readonly DateTimeOffset Noon = new(2025, 6, 3, 12, 0, 5, TimeSpan.Zero);

    [Fact]
    public void Text_is_the_level_and_the_message()
    {
        var (log, lines) = Log(new LogSettings(Verbosity.Info, LogFormat.Text, Timestamps: false));

        log.Info("Pulling busybox");
        log.Error("it failed");
        log.Debug("not shown");

        Assert.Equal(["INFO Pulling busybox", "ERROR it failed"], lines());
    }

    [Theory]
    [InlineData(LogFormat.Text)]
    [InlineData(LogFormat.Color)]
    public void Log_timestamp_puts_the_time_after_the_level_as_kaniko_does(LogFormat format)
    {
        var (log, lines) = Log(new LogSettings(Verbosity.Info, format, Timestamps: true));

        log.Warn("careful");

        Assert.Equal(["WARN[2025-06-03T12:00:05Z] careful"], lines());
    }

    [Fact]
    public void Json_is_one_object_a_line_with_level_msg_and_time_even_for_run_output()
    {
        var (log, lines) = Log(new LogSettings(Verbosity.Debug, LogFormat.Json, Timestamps: false));

        log.Warn("a \"quoted\"\nmessage");
        log.Output("hello from RUN");
        log.Debug("details");

        var objects = lines().Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(
            [("warning", "a \"quoted\"\nmessage"), ("info", "hello from RUN"), ("debug", "details")],
            objects.Select(o => (o.GetProperty("level").GetString(), o.GetProperty("msg").GetString())));
        Assert.All(objects, o => Assert.Equal("2025-06-03T12:00:05Z", o.GetProperty("time").GetString()));
    }

    [Fact]
    public void Run_output_is_raw_in_text_and_hidden_below_info()
    {
        var (log, lines) = Log(new LogSettings(Verbosity.Info, LogFormat.Text, Timestamps: true));
        var (quiet, quietLines) = Log(new LogSettings(Verbosity.Warn, LogFormat.Text, Timestamps: false));

        log.Output("hello");
        quiet.Output("hello");

        Assert.Equal(["hello"], lines());
        Assert.Empty(quietLines());
    }

    private static (ConsoleBuildLog Log, Func<string[]> Lines) Log(LogSettings settings)
    {
        var writer = new StringWriter { NewLine = "\n" };
        return (new ConsoleBuildLog(settings, writer, new FixedTime(Noon)), () => writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}

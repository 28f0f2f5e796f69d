using System.CommandLine;

namespace Drydock.Cli;

/// <summary>kaniko's log flags, which the command reads before anything else to set up its log.</summary>
public sealed class LogFlags
{
    private readonly Option<Verbosity> _verbosity = new("--verbosity", "-v") { Description = "Log level: panic, fatal, error, warn, info, debug, trace.", DefaultValueFactory = _ => Verbosity.Info };
    private readonly Option<LogFormat> _format = new("--log-format") { Description = "Log format: color (colours at a terminal), text, or json (one object per line: level, msg, time).", DefaultValueFactory = _ => LogFormat.Color };
    private readonly Option<bool> _timestamp = new("--log-timestamp") { Description = "Put the time on every log line." };

    public void AddTo(Command command)
    {
        command.Options.Add(_verbosity);
        command.Options.Add(_format);
        command.Options.Add(_timestamp);
    }

    /// <summary>The log settings a successful parse describes.</summary>
    public LogSettings ToSettings(ParseResult result) => new(
        result.GetValue(_verbosity),
        result.GetValue(_format),
        result.GetValue(_timestamp));
}

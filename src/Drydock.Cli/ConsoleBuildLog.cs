using System.Globalization;
using System.Text;
using System.Text.Json;
using Drydock.Building;

namespace Drydock.Cli;

/// <summary>
/// Prints build progress to stderr (stdout stays free for the digest), filtered by --verbosity and
/// shaped by --log-format and --log-timestamp. RUN output passes through as it is, except in the
/// JSON format, where every line on stderr is one JSON object for a log collector to read.
/// </summary>
/// <param name="writer">Where lines go; null means the process's stderr.</param>
/// <param name="time">The clock timestamps read; null means the system's.</param>
public sealed class ConsoleBuildLog(LogSettings settings, TextWriter? writer = null, TimeProvider? time = null) : IBuildLog
{
    private readonly Lock _lock = new();
    private readonly TextWriter _writer = writer ?? Console.Error;
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    // Colours only a person at a terminal sees; a log file or pipe gets plain text.
    private readonly bool _colors = settings.Format == LogFormat.Color && writer is null && !Console.IsErrorRedirected;

    public void Info(string message) => Write(Verbosity.Info, message);

    public void Warn(string message) => Write(Verbosity.Warn, message);

    public void Debug(string message) => Write(Verbosity.Debug, message);

    public bool ShowsDebug => settings.Verbosity >= Verbosity.Debug;

    public void Output(string line)
    {
        if (settings.Verbosity < Verbosity.Info)
        {
            return;
        }

        WriteLine(settings.Format == LogFormat.Json ? Json(Verbosity.Info, line) : line);
    }

    public void Error(string message) => Write(Verbosity.Error, message);

    private void Write(Verbosity level, string message)
    {
        if (level > settings.Verbosity)
        {
            return;
        }

        WriteLine(settings.Format == LogFormat.Json ? Json(level, message) : Text(level, message));
    }

    private void WriteLine(string line)
    {
        lock (_lock)
        {
            _writer.WriteLine(line);
        }
    }

    /// <summary><c>INFO message</c>, or with --log-timestamp logrus' <c>INFO[2025-06-03T10:36:10Z] message</c>.</summary>
    private string Text(Verbosity level, string message)
    {
        var tag = level.ToString().ToUpperInvariant();
        if (_colors)
        {
            tag = $"\e[{Color(level)}m{tag}\e[0m";
        }

        return settings.Timestamps ? $"{tag}[{Now()}] {message}" : $"{tag} {message}";
    }

    /// <summary>logrus' JSON shape, which kaniko's <c>--log-format json</c> prints: level, msg, time.</summary>
    private string Json(Verbosity level, string message)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("level", level == Verbosity.Warn ? "warning" : level.ToString().ToLowerInvariant());
            json.WriteString("msg", message);
            json.WriteString("time", Now());
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private string Now() => _time.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    /// <summary>logrus' colours: red for errors, yellow for warnings, blue for info, grey for the rest.</summary>
    private static int Color(Verbosity level) => level switch
    {
        <= Verbosity.Error => 31,
        Verbosity.Warn => 33,
        Verbosity.Info => 36,
        _ => 37,
    };
}

/// <summary>How the log is shown: kaniko's --verbosity, --log-format and --log-timestamp.</summary>
public sealed record LogSettings(Verbosity Verbosity, LogFormat Format, bool Timestamps);

/// <summary>kaniko's log formats.</summary>
public enum LogFormat
{
    Text,
    Color,
    Json,
}

/// <summary>kaniko's (logrus') level names, most severe first.</summary>
public enum Verbosity
{
    Panic,
    Fatal,
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

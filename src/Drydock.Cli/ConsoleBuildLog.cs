using Drydock.Building;

namespace Drydock.Cli;

/// <summary>Prints build progress to stderr (stdout stays free for the digest), filtered by --verbosity.</summary>
public sealed class ConsoleBuildLog(Verbosity verbosity) : IBuildLog
{
    private readonly Lock _lock = new();

    public void Info(string message) => Write(Verbosity.Info, "INFO", message);

    public void Warn(string message) => Write(Verbosity.Warn, "WARN", message);

    public void Debug(string message) => Write(Verbosity.Debug, "DEBUG", message);

    public void Output(string line) => Write(Verbosity.Info, null, line);

    public void Error(string message) => Write(Verbosity.Error, "ERROR", message);

    private void Write(Verbosity level, string? tag, string message)
    {
        if (level > verbosity)
        {
            return;
        }

        lock (_lock)
        {
            Console.Error.WriteLine(tag is null ? message : $"{tag} {message}");
        }
    }
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

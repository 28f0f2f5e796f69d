namespace Drydock.Building;

/// <summary>Where a build reports progress; the command line decides how much of it to show.</summary>
public interface IBuildLog
{
    void Info(string message);

    void Warn(string message);

    void Debug(string message);

    /// <summary>Whether debug lines are shown: what costs work to say (a cache miss explained) is said only then.</summary>
    bool ShowsDebug => true;

    /// <summary>A line of output from a RUN command.</summary>
    void Output(string line);
}

namespace Drydock.Building;

/// <summary>Where a build reports progress; the command line decides how much of it to show.</summary>
public interface IBuildLog
{
    void Info(string message);

    void Warn(string message);

    void Debug(string message);

    /// <summary>A line of output from a RUN command.</summary>
    void Output(string line);
}

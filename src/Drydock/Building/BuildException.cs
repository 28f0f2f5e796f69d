using Drydock.Dockerfile;

namespace Drydock.Building;

/// <summary>A build step that failed, placed at its Dockerfile instruction.</summary>
public sealed class BuildException : Exception
{
    public BuildException(string message)
        : base(message)
    {
    }

    public BuildException(SourceLocation location, string instruction, string message, Exception? inner = null)
        : base($"{location.FileName}:{location.StartLine}:{location.StartColumn}: {instruction}: {message}", inner)
    {
    }

    /// <summary>When the step failed for want of an input the build was not given: which one.</summary>
    public MissingBuildInput? Missing { get; init; }

    /// <summary>When a RUN command failed: its exit code (128+N for signal N), which the build ends with, as kaniko's does.</summary>
    public int? ExitCode { get; init; }
}

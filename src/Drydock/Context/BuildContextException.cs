namespace Drydock.Context;

/// <summary>
/// A problem with the build context the user can fix: a missing directory or Dockerfile, a bad
/// .dockerignore line, a COPY source that names nothing. The message says what, where and how.
/// </summary>
public sealed class BuildContextException : Exception
{
    public BuildContextException(string message)
        : base(message)
    {
    }

    public BuildContextException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

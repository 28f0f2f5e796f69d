namespace Drydock.Sandbox;

/// <summary>The sandbox could not run a command at all (as opposed to the command failing).</summary>
public sealed class SandboxException : Exception
{
    public SandboxException()
    {
    }

    public SandboxException(string message)
        : base(message)
    {
    }

    public SandboxException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

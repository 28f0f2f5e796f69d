namespace Drydock.Sandbox;

/// <summary>The network a command sees.</summary>
public enum SandboxNetwork
{
    /// <summary>The host's interfaces and routes (RUN's default, and <c>--network=host</c>).</summary>
    Host,

    /// <summary>A network namespace of its own with only the loopback interface (<c>--network=none</c>).</summary>
    None,
}

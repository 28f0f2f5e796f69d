using Drydock.Native;

namespace Drydock.Building.Mounts;

/// <summary>
/// An ssh agent given to the build: <c>--ssh default</c> or <c>--ssh ID</c> (the agent of
/// <c>$SSH_AUTH_SOCK</c>), or <c>--ssh ID=SOCKET</c>, in docker buildx's syntax. RUN reaches it
/// through <c>--mount=type=ssh,id=ID</c>; git sources of ADD are fetched with the one named default.
/// </summary>
/// <remarks>buildx also takes private key files; Drydock forwards agents only (load a key with ssh-add).</remarks>
public sealed record SshAgentSource(string Id, string SocketPath)
{
    /// <summary>The id RUN mounts and git fetches use when none is named.</summary>
    public const string DefaultId = "default";

    /// <exception cref="ArgumentException">A malformed value, or no agent to take the socket from.</exception>
    public static SshAgentSource Parse(string text, Func<string, string?> getEnvironmentVariable)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(getEnvironmentVariable);
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        var id = equals < 0 ? text : text[..equals];
        if (id.Length == 0 || id.Contains(',', StringComparison.Ordinal))
        {
            throw Invalid(text, "the agent needs an id");
        }

        if (equals >= 0)
        {
            var paths = text[(equals + 1)..];
            return paths.Length == 0 || paths.Contains(',', StringComparison.Ordinal)
                ? throw Invalid(text, "give one agent socket")
                : new SshAgentSource(id, paths);
        }

        return getEnvironmentVariable("SSH_AUTH_SOCK") is { Length: > 0 } socket
            ? new SshAgentSource(id, socket)
            : throw Invalid(text, "SSH_AUTH_SOCK is not set; start an agent (eval $(ssh-agent); ssh-add) or name its socket");
    }

    /// <summary>The agent's socket, checked to be one.</summary>
    /// <exception cref="IOException">It does not exist or is not a socket.</exception>
    public string Socket()
    {
        if (!Path.Exists(SocketPath))
        {
            throw new IOException($"ssh agent {Id}: {SocketPath} does not exist; is the agent still running?");
        }

        var socket = new FileInfo(SocketPath).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(SocketPath);
        return NativeFiles.Lstat(socket).Kind == FileKind.Socket
            ? socket
            : throw new IOException($"ssh agent {Id}: {SocketPath} is not a socket; Drydock forwards ssh agents, not key files: load the key with ssh-add and pass the agent's socket");
    }

    private static ArgumentException Invalid(string text, string reason) =>
        new($"--ssh '{text}': {reason}; write default, ID or ID=SOCKET");
}

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
}

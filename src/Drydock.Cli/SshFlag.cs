using Drydock.Building.Mounts;

namespace Drydock.Cli;

/// <summary>
/// The value of <c>--ssh</c>, in docker buildx's syntax: <c>default</c> or <c>ID</c> (the agent of
/// <c>$SSH_AUTH_SOCK</c>), or <c>ID=SOCKET</c>.
/// </summary>
public static class SshFlag
{
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

    private static ArgumentException Invalid(string text, string reason) =>
        new($"--ssh '{text}': {reason}; write default, ID or ID=SOCKET");
}

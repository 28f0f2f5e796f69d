using Drydock.Building.Mounts;

namespace Drydock.Cli;

/// <summary>The value of <c>--secret</c>, in docker buildx's syntax.</summary>
public static class SecretFlag
{
    /// <summary>
    /// Parses a <c>--secret</c> value: <c>id=ID</c> with <c>src=</c>/<c>source=</c>, <c>env=</c> and
    /// <c>type=file|env</c>. With neither source nor env the secret is the environment variable
    /// named ID when it is set, else the file named ID (buildx's rule).
    /// </summary>
    /// <exception cref="ArgumentException">A malformed value; the message says what to write.</exception>
    public static SecretSource Parse(string text, Func<string, string?> getEnvironmentVariable)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(getEnvironmentVariable);
        string? id = null, type = null, source = null, env = null;
        foreach (var field in text.Split(','))
        {
            var equals = field.IndexOf('=', StringComparison.Ordinal);
            var key = equals < 0 ? field : field[..equals].ToLowerInvariant();
            var value = equals < 0 ? "" : field[(equals + 1)..];
            switch (key)
            {
                case "id":
                    id = value;
                    break;
                case "type":
                    type = value.ToLowerInvariant();
                    break;
                case "src" or "source":
                    source = value;
                    break;
                case "env":
                    env = value;
                    break;
                default:
                    throw Invalid(text, $"unexpected key '{key}'");
            }
        }

        if (string.IsNullOrEmpty(id))
        {
            throw Invalid(text, "the secret needs an id");
        }

        if (type is not (null or "file" or "env"))
        {
            throw Invalid(text, $"unknown type '{type}' (use type=file or type=env)");
        }

        if (source is not null && env is not null)
        {
            throw Invalid(text, "give either src=PATH or env=VARIABLE, not both");
        }

        return type switch
        {
            // buildx reads type=env,src=VAR as the variable VAR.
            "env" => SecretSource.FromEnvironment(id, env ?? source ?? id),
            "file" when env is null => SecretSource.FromFile(id, source ?? id),
            "file" => throw Invalid(text, "type=file takes src=PATH, not env="),
            _ when env is not null => SecretSource.FromEnvironment(id, env),
            _ when source is not null => SecretSource.FromFile(id, source),
            _ => getEnvironmentVariable(id) is not null ? SecretSource.FromEnvironment(id, id) : SecretSource.FromFile(id, id),
        };
    }

    private static ArgumentException Invalid(string text, string reason) =>
        new($"--secret '{text}': {reason}; write id=ID,src=PATH or id=ID,env=VARIABLE");
}

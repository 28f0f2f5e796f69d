using System.Text;

namespace Drydock.Building.Mounts;

/// <summary>
/// Where a build secret comes from: <c>--secret id=ID,src=PATH</c> (a file) or
/// <c>--secret id=ID,env=VAR</c> (an environment variable), as docker buildx and buildah name them.
/// The value is read only when a RUN mounts it, and never logged.
/// </summary>
public sealed record SecretSource
{
    /// <summary>BuildKit's limit: secrets are small (keys, tokens), not files to ship.</summary>
    public const int MaxBytes = 500 * 1024;

    private SecretSource(string id, string? filePath, string? environmentVariable)
    {
        Id = id;
        FilePath = filePath;
        EnvironmentVariable = environmentVariable;
    }

    public string Id { get; }

    /// <summary>The file holding the secret, or null when it comes from <see cref="EnvironmentVariable"/>.</summary>
    public string? FilePath { get; }

    public string? EnvironmentVariable { get; }

    public static SecretSource FromFile(string id, string path) => new(CheckId(id), path, null);

    public static SecretSource FromEnvironment(string id, string variable) => new(CheckId(id), null, variable);

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
            "env" => FromEnvironment(id, env ?? source ?? id),
            "file" when env is null => FromFile(id, source ?? id),
            "file" => throw Invalid(text, "type=file takes src=PATH, not env="),
            _ when env is not null => FromEnvironment(id, env),
            _ when source is not null => FromFile(id, source),
            _ => getEnvironmentVariable(id) is not null ? FromEnvironment(id, id) : FromFile(id, id),
        };
    }

    /// <summary>The secret's bytes, or null when its environment variable is not set.</summary>
    /// <exception cref="IOException">The file cannot be read, or the secret is too large.</exception>
    public async Task<byte[]?> ReadAsync(Func<string, string?> getEnvironmentVariable, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(getEnvironmentVariable);
        if (EnvironmentVariable is not null)
        {
            return getEnvironmentVariable(EnvironmentVariable) is { } value ? Bounded(Encoding.UTF8.GetBytes(value)) : null;
        }

        var info = new FileInfo(FilePath!);
        if (!info.Exists)
        {
            throw new IOException($"secret {Id}: the file {FilePath} does not exist");
        }

        if (info.Length > MaxBytes)
        {
            throw TooLarge();
        }

        return Bounded(await File.ReadAllBytesAsync(FilePath!, cancellationToken).ConfigureAwait(false));
    }

    public override string ToString() => EnvironmentVariable is null ? $"id={Id},src={FilePath}" : $"id={Id},env={EnvironmentVariable}";

    private byte[] Bounded(byte[] value) => value.Length <= MaxBytes ? value : throw TooLarge();

    private IOException TooLarge() => new($"secret {Id} is larger than {MaxBytes / 1024} KiB");

    private static string CheckId(string id)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        return id;
    }

    private static ArgumentException Invalid(string text, string reason) =>
        new($"--secret '{text}': {reason}; write id=ID,src=PATH or id=ID,env=VARIABLE");
}

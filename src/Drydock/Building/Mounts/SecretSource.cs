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
}

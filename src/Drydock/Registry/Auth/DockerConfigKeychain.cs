using System.Text;
using Drydock.Reference;

namespace Drydock.Registry.Auth;

/// <summary>
/// Reads credentials from Docker's <c>config.json</c> <c>auths</c> map, as docker login, kaniko and
/// CI systems write it. The first of the candidate files that exists is used, read once.
/// </summary>
public sealed class DockerConfigKeychain : IKeychain
{
    private readonly SemaphoreSlim _loadLock = new(1, 1);
    private IReadOnlyDictionary<string, Credential>? _credentials;

    /// <param name="configPaths">Candidate config.json paths in order of preference (injectable so tests never read the host's files).</param>
    public DockerConfigKeychain(IReadOnlyList<string> configPaths)
    {
        ConfigPaths = configPaths;
    }

    public IReadOnlyList<string> ConfigPaths { get; }

    /// <summary>The file that was read, once loaded; null when none of the candidates exists.</summary>
    public string? ConfigFileUsed { get; private set; }

    /// <summary>
    /// Docker's and kaniko's places: <c>$DOCKER_CONFIG/config.json</c> when DOCKER_CONFIG is set,
    /// else <c>~/.docker/config.json</c>; then <c>/kaniko/.docker/config.json</c>.
    /// </summary>
    public static IReadOnlyList<string> DefaultConfigPaths(Func<string, string?>? environment = null, string? home = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        home ??= environment("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var dockerConfig = environment("DOCKER_CONFIG");
        var first = !string.IsNullOrEmpty(dockerConfig)
            ? Path.Combine(dockerConfig, "config.json")
            : Path.Combine(home, ".docker", "config.json");
        return [first, "/kaniko/.docker/config.json"];
    }

    public static DockerConfigKeychain FromEnvironment() => new(DefaultConfigPaths());

    public async ValueTask<Credential?> ResolveAsync(string registry, CancellationToken cancellationToken)
    {
        var credentials = _credentials ?? await LoadAsync(cancellationToken).ConfigureAwait(false);
        return credentials.GetValueOrDefault(NormalizeKey(registry));
    }

    /// <summary>
    /// Turns a config key into the registry it names: <c>https://index.docker.io/v1/</c> →
    /// <c>docker.io</c>, <c>http://host:5000/v2/</c> → <c>host:5000</c>.
    /// </summary>
    public static string NormalizeKey(string key)
    {
        var host = key.Trim();
        var scheme = host.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            host = host[(scheme + 3)..];
        }

        var slash = host.IndexOf('/');
        if (slash >= 0)
        {
            host = host[..slash];
        }

        return ImageReference.NormalizeRegistry(host);
    }

    /// <summary>Builds the registry → credential map of a parsed file.</summary>
    internal static IReadOnlyDictionary<string, Credential> CredentialsOf(DockerConfigFile file, string path)
    {
        var result = new Dictionary<string, Credential>(StringComparer.Ordinal);
        var exact = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, entry) in file.Auths ?? [])
        {
            if (entry is null || ToCredential(entry, key, path) is not { } credential)
            {
                continue;
            }

            // Several spellings can name one registry; one written exactly as the host wins.
            var host = NormalizeKey(key);
            var isExact = string.Equals(key, host, StringComparison.OrdinalIgnoreCase);
            if (!result.ContainsKey(host) || (isExact && !exact.Contains(host)))
            {
                result[host] = credential;
                if (isExact)
                {
                    exact.Add(host);
                }
            }
        }

        return result;
    }

    private static Credential? ToCredential(DockerAuthEntry entry, string key, string path)
    {
        string? username = entry.Username;
        string? password = entry.Password;
        if (!string.IsNullOrEmpty(entry.Auth))
        {
            (username, password) = DecodeAuth(entry.Auth, key, path);
        }

        var credential = new Credential
        {
            Username = string.IsNullOrEmpty(username) ? null : username,
            Password = string.IsNullOrEmpty(username) ? null : password,
            IdentityToken = string.IsNullOrEmpty(entry.IdentityToken) ? null : entry.IdentityToken,
            RegistryToken = string.IsNullOrEmpty(entry.RegistryToken) ? null : entry.RegistryToken,
        };
        return credential.Username is null && credential.IdentityToken is null && credential.RegistryToken is null ? null : credential;
    }

    private static (string Username, string Password) DecodeAuth(string auth, string key, string path)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(auth.Trim());
        }
        catch (FormatException)
        {
            throw new InvalidDataException($"{path}: the \"auth\" value for \"{key}\" is not valid base64.");
        }

        var text = Encoding.UTF8.GetString(bytes);
        var colon = text.IndexOf(':');
        if (colon <= 0)
        {
            throw new InvalidDataException($"{path}: the \"auth\" value for \"{key}\" is not the base64 of user:password.");
        }

        return (text[..colon], text[(colon + 1)..]);
    }

    private async Task<IReadOnlyDictionary<string, Credential>> LoadAsync(CancellationToken cancellationToken)
    {
        await _loadLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_credentials is not null)
            {
                return _credentials;
            }

            IReadOnlyDictionary<string, Credential> credentials = new Dictionary<string, Credential>();
            foreach (var path in ConfigPaths)
            {
                byte[] json;
                try
                {
                    json = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
                {
                    continue;
                }

                ConfigFileUsed = path;
                credentials = CredentialsOf(DockerConfigFile.Parse(json, path), path);
                break;
            }

            _credentials = credentials;
            return credentials;
        }
        finally
        {
            _loadLock.Release();
        }
    }
}

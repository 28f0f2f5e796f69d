using System.Collections.Concurrent;
using System.Text;
using Drydock.Reference;
using Drydock.Registry.Errors;

namespace Drydock.Registry.Auth;

/// <summary>
/// Reads credentials from Docker's <c>config.json</c> as docker login, kaniko and CI systems write
/// it: a registry's <c>credHelpers</c> entry, else the <c>credsStore</c>, names a credential helper
/// to ask; the <c>auths</c> map answers otherwise, and also when a helper holds nothing for the
/// registry. The first of the candidate files that exists is used, read once; each registry is
/// looked up once.
/// </summary>
public sealed class DockerConfigKeychain : IKeychain
{
    /// <summary>The server URL Docker has always used for Docker Hub's credentials.</summary>
    public const string DockerHubServerUrl = "https://index.docker.io/v1/";

    private readonly SemaphoreSlim _loadLock = new(1, 1);
    private readonly ConcurrentDictionary<string, Credential?> _resolved = new(StringComparer.Ordinal);
    private readonly string _helperSearchPath;
    private LoadedConfig? _config;

    /// <param name="configPaths">Candidate config.json paths in order of preference (injectable so tests never read the host's files).</param>
    /// <param name="helperSearchPath">Where credential helpers are looked for, as in PATH; empty finds none (<see cref="FromEnvironment"/> passes the environment's PATH).</param>
    public DockerConfigKeychain(IReadOnlyList<string> configPaths, string helperSearchPath = "")
    {
        ConfigPaths = configPaths;
        _helperSearchPath = helperSearchPath;
    }

    public IReadOnlyList<string> ConfigPaths { get; }

    /// <summary>The file that was read, once loaded; null when none of the candidates exists.</summary>
    public string? ConfigFileUsed { get; private set; }

    /// <summary>
    /// Docker's and kaniko's places: <c>$DOCKER_CONFIG/config.json</c> when DOCKER_CONFIG is set,
    /// else <c>~/.docker/config.json</c>; then <c>/kaniko/.docker/config.json</c>.
    /// </summary>
    /// <param name="environment">Reads an environment variable (the CLI passes the process's).</param>
    /// <param name="home">The home directory; null means HOME, else the user's profile folder.</param>
    public static IReadOnlyList<string> DefaultConfigPaths(Func<string, string?> environment, string? home = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        home ??= environment("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var dockerConfig = environment("DOCKER_CONFIG");
        var first = !string.IsNullOrEmpty(dockerConfig)
            ? Path.Combine(dockerConfig, "config.json")
            : Path.Combine(home, ".docker", "config.json");
        return [first, "/kaniko/.docker/config.json"];
    }

    /// <summary>The keychain Docker and kaniko use in <paramref name="environment"/>: its config paths, and helpers on its PATH.</summary>
    public static DockerConfigKeychain FromEnvironment(Func<string, string?> environment) =>
        new(DefaultConfigPaths(environment), environment("PATH") ?? "");

    public async ValueTask<Credential?> ResolveAsync(string registry, CancellationToken cancellationToken)
    {
        var config = _config ?? await LoadAsync(cancellationToken).ConfigureAwait(false);
        var key = NormalizeKey(registry);
        if (_resolved.TryGetValue(key, out var known))
        {
            return known;
        }

        // A failed lookup is not remembered: the next request asks again.
        var credential = await LookupAsync(config, key, cancellationToken).ConfigureAwait(false);
        _resolved[key] = credential;
        return credential;
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

    private async Task<Credential?> LookupAsync(LoadedConfig config, string key, CancellationToken cancellationToken)
    {
        var fromFile = config.Credentials.GetValueOrDefault(key);
        var namedForRegistry = config.CredHelpers.GetValueOrDefault(key);
        var helperName = namedForRegistry ?? config.CredsStore;
        if (helperName is null)
        {
            return fromFile;
        }

        var helper = new CredentialHelper(helperName, _helperSearchPath);
        if (helper.Locate() is not { } program)
        {
            if (namedForRegistry is not null)
            {
                throw new RegistryException(
                    $"getting credentials for {key}",
                    $"{config.Path} names the credential helper {helper.ProgramName} for it (credHelpers), but no such program is on PATH");
            }

            // A config copied from a workstation often names a store (desktop, osxkeychain) that a
            // build machine lacks; its auths entries still hold whatever the build was given.
            return fromFile;
        }

        var serverUrl = key == ImageReference.DockerHub ? DockerHubServerUrl : key;
        return await helper.GetAsync(program, serverUrl, cancellationToken).ConfigureAwait(false) ?? fromFile;
    }

    private async Task<LoadedConfig> LoadAsync(CancellationToken cancellationToken)
    {
        await _loadLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_config is not null)
            {
                return _config;
            }

            var config = LoadedConfig.None;
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
                var file = DockerConfigFile.Parse(json, path);
                config = new LoadedConfig(
                    path,
                    CredentialsOf(file, path),
                    (file.CredHelpers ?? []).Where(e => !string.IsNullOrEmpty(e.Value)).ToDictionary(e => NormalizeKey(e.Key), e => e.Value, StringComparer.Ordinal),
                    string.IsNullOrEmpty(file.CredsStore) ? null : file.CredsStore);
                break;
            }

            _config = config;
            return config;
        }
        finally
        {
            _loadLock.Release();
        }
    }

    /// <summary>What one config file says, with every registry key normalised.</summary>
    private sealed record LoadedConfig(string? Path, IReadOnlyDictionary<string, Credential> Credentials, IReadOnlyDictionary<string, string> CredHelpers, string? CredsStore)
    {
        public static LoadedConfig None { get; } = new(null, new Dictionary<string, Credential>(), new Dictionary<string, string>(), null);
    }
}

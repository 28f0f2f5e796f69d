using System.Text.Json.Nodes;

namespace Drydock.IntegrationTests.Fixtures;

/// <summary>
/// <c>docker-credential-test</c>: a shell script speaking Docker's credential-helper protocol,
/// written into a fresh <c>bin</c> directory for a test to put on PATH. It answers <c>get</c> with
/// the credentials given for each server URL, says "credentials not found" for any other, and logs
/// every server URL it was asked for.
/// </summary>
public sealed class CredentialHelperScript : IDisposable
{
    public const string Name = "test";

    private readonly TempDirectory _root = new("drydock-helper-");

    /// <param name="credentials">Server URL (<c>127.0.0.1:PORT</c>) → user and secret; a user of <c>&lt;token&gt;</c> makes the secret an identity token.</param>
    public CredentialHelperScript(IReadOnlyDictionary<string, (string User, string Secret)> credentials)
    {
        Directory.CreateDirectory(BinDirectory);
        var cases = string.Concat(credentials.Select(entry =>
            $"  {Quote(entry.Key)}) printf '%s' {Quote(new JsonObject { ["ServerURL"] = entry.Key, ["Username"] = entry.Value.User, ["Secret"] = entry.Value.Secret }.ToJsonString())} ;;\n"));
        var script = $"""
            #!/bin/sh
            [ "$1" = get ] || {"{"} echo "only get is supported" >&2; exit 2; {"}"}
            server=$(cat)
            printf '%s\n' "$server" >> {Quote(LogPath)}
            case "$server" in
            {cases}  *) echo "credentials not found in native keychain"; exit 1 ;;
            esac

            """;
        var path = Path.Combine(BinDirectory, "docker-credential-" + Name);
        File.WriteAllText(path, script);
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
    }

    /// <summary>The directory holding the script: put it on PATH (or pass it as the keychain's search path).</summary>
    public string BinDirectory => _root.Combine("bin");

    /// <summary>PATH with <see cref="BinDirectory"/> first, for a child process.</summary>
    public string SearchPath => $"{BinDirectory}:{Environment.GetEnvironmentVariable("PATH")}";

    /// <summary>The server URLs the helper was asked for, in order.</summary>
    public IReadOnlyList<string> Requests => File.Exists(LogPath) ? File.ReadAllLines(LogPath) : [];

    private string LogPath => _root.Combine("requests.log");

    /// <summary>Writes a config.json into <paramref name="directory"/> that sends each registry to this helper.</summary>
    public static string WriteConfig(string directory, params string[] registries)
    {
        var helpers = new JsonObject();
        foreach (var registry in registries)
        {
            helpers[registry] = Name;
        }

        var path = Path.Combine(directory, "config.json");
        File.WriteAllText(path, new JsonObject { ["credHelpers"] = helpers }.ToJsonString());
        return path;
    }

    public void Dispose() => _root.Dispose();

    private static string Quote(string text) => "'" + text.Replace("'", "'\\''") + "'";
}

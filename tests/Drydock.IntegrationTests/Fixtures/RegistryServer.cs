using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Drydock.Reference;
using Drydock.Registry;
using Drydock.Registry.Auth;
using Drydock.Registry.Transport;

namespace Drydock.IntegrationTests.Fixtures;

public enum RegistryMode
{
    /// <summary>Plain HTTP, no auth.</summary>
    Http,

    /// <summary>HTTPS with a certificate from a CA the fixture made; no auth.</summary>
    Tls,

    /// <summary>HTTPS as <see cref="Tls"/>, plus htpasswd Basic auth.</summary>
    TlsWithBasicAuth,

    /// <summary>HTTPS as <see cref="Tls"/>, and the registry demands a client certificate signed by the fixture's CA.</summary>
    MutualTls,

    /// <summary>Plain HTTP with distribution's token auth: the fixture runs the <see cref="TokenService"/> on loopback.</summary>
    TokenAuth,
}

/// <summary>
/// A real registry (Debian's docker-registry, CNCF distribution 2.8) on 127.0.0.1 at a free port,
/// storing into a temp dir with deletes enabled. Use the per-mode subclasses as xunit collection
/// fixtures (<see cref="RegistryCollections"/>) so one server per mode serves a whole test run, or
/// <see cref="StartAsync"/> for a private one. Repositories are shared within a run: take unique
/// names from <see cref="NewRepository"/>.
/// </summary>
public class RegistryServer : IAsyncLifetime
{
    private static int _repositoryCounter;
    private readonly StringBuilder _log = new();
    private TempDirectory? _work;
    private Process? _process;

    public RegistryServer(RegistryMode mode)
    {
        Mode = mode;
    }

    public RegistryMode Mode { get; }

    /// <summary>The registry this one mirrors as a pull-through cache (distribution's proxy mode), or null.</summary>
    public Uri? ProxyRemote { get; private init; }

    /// <summary>Whether blob GETs and HEADs are answered with a 307 to <see cref="BlobStorage"/>.</summary>
    public bool RedirectsBlobs { get; private init; }

    /// <summary>Whether <see cref="BlobStorage"/> speaks plain HTTP even behind a TLS registry (a downgrade clients should refuse).</summary>
    public bool PlainHttpStorage { get; private init; }

    /// <summary>
    /// Where blob reads are redirected to when <see cref="RedirectsBlobs"/>: a server of the storage
    /// directory, over TLS with the registry's own certificate when the registry uses TLS (unless
    /// <see cref="PlainHttpStorage"/>); else null.
    /// </summary>
    public BlobStorageServer? BlobStorage { get; private set; }

    /// <summary><c>127.0.0.1:PORT</c>: the registry part of references to this server.</summary>
    public string Host => $"127.0.0.1:{Port}";

    public int Port { get; private set; }

    public bool UsesTls => Mode is RegistryMode.Tls or RegistryMode.TlsWithBasicAuth or RegistryMode.MutualTls;

    /// <summary>The token service the registry sends clients to in token auth mode, else null.</summary>
    public TokenService? Tokens { get; private set; }

    public Uri BaseUri => new($"{(UsesTls ? "https" : "http")}://{Host}/");

    /// <summary>The registry's storage root (to inspect or tamper with stored blobs).</summary>
    public string StorageDirectory => Work.Combine("storage");

    /// <summary>
    /// The CA certificate (PEM) that signed the server certificate; null in HTTP mode. The server
    /// certificate names localhost, 127.0.0.1 and registry.test (a name that resolves nowhere, for
    /// tests that reach the registry through a proxy).
    /// </summary>
    public string? CaCertificatePath { get; private set; }

    /// <summary>A directory holding <c>ca.crt</c> (and in mutual TLS mode <c>client.cert</c>/<c>client.key</c>), for <c>skopeo --cert-dir</c>; null in HTTP mode.</summary>
    public string? CertDirectory { get; private set; }

    /// <summary>The client certificate (PEM) the registry accepts in mutual TLS mode, else null.</summary>
    public string? ClientCertificatePath { get; private set; }

    /// <summary>The private key (PEM) of <see cref="ClientCertificatePath"/>, else null.</summary>
    public string? ClientKeyPath { get; private set; }

    /// <summary>The user in Basic or token auth mode, else null.</summary>
    public string? Username { get; private set; }

    /// <summary>The password in Basic or token auth mode (random per run), else null.</summary>
    public string? Password { get; private set; }

    /// <summary>What the registry printed, for diagnosing a failing test.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Drydock options that reach this server: plain HTTP for it, or its CA trusted (and the client certificate presented).</summary>
    public RegistryTransportOptions TransportOptions
    {
        get
        {
            var options = new RegistryTransportOptions { PullRetries = 1, PushRetries = 1, RetryDelay = TimeSpan.FromMilliseconds(50) };
            if (!UsesTls)
            {
                return options with { InsecureRegistries = [Host] };
            }

            options = options.WithRegistryCertificate(Host, CaCertificatePath!);
            return ClientCertificatePath is null ? options : options.WithClientCertificate(Host, new ClientCertificate(ClientCertificatePath, ClientKeyPath!));
        }
    }

    /// <summary>The credentials of this server (auth mode), or none.</summary>
    public IKeychain Keychain => Username is null
        ? AnonymousKeychain.Instance
        : new StaticKeychain(Host, Credential.Basic(Username, Password!));

    /// <summary>skopeo flags to read from this server (<c>inspect</c>, or <c>copy</c> with a src- prefix via <see cref="SkopeoSourceArgs"/>).</summary>
    public IReadOnlyList<string> SkopeoArgs => SkopeoFlags("");

    public IReadOnlyList<string> SkopeoSourceArgs => SkopeoFlags("src-");

    public IReadOnlyList<string> SkopeoDestinationArgs => SkopeoFlags("dest-");

    /// <summary>Strings to mask in tool output (the password).</summary>
    public IReadOnlyList<string> Secrets => Password is null ? [] : [Password];

    private TempDirectory Work => _work ?? throw new InvalidOperationException("The registry has not been started.");

    /// <summary>Starts a private server (dispose it when done).</summary>
    public static async Task<RegistryServer> StartAsync(RegistryMode mode)
    {
        var server = new RegistryServer(mode);
        await server.InitializeAsync();
        return server;
    }

    /// <summary>
    /// Starts a private server that answers blob GETs and HEADs with a 307 to the storage server
    /// (distribution's <c>redirect</c> storage middleware), as registries backed by S3 or a CDN do.
    /// </summary>
    public static async Task<RegistryServer> StartRedirectingBlobsAsync(RegistryMode mode, bool plainHttpStorage = false)
    {
        var server = new RegistryServer(mode) { RedirectsBlobs = true, PlainHttpStorage = plainHttpStorage };
        await server.InitializeAsync();
        return server;
    }

    /// <summary>
    /// Starts a private pull-through cache in front of <paramref name="upstream"/> (plain HTTP both):
    /// it fetches what it lacks from there, keeps it, and refuses pushes.
    /// </summary>
    public static async Task<RegistryServer> StartPullThroughCacheAsync(RegistryServer upstream)
    {
        var server = new RegistryServer(RegistryMode.Http) { ProxyRemote = upstream.BaseUri };
        await server.InitializeAsync();
        return server;
    }

    /// <summary>Starts a private plain-HTTP server that writes an access log line per request into <see cref="Log"/>.</summary>
    public static async Task<RegistryServer> StartWithAccessLogAsync()
    {
        var server = new RegistryServer(RegistryMode.Http) { AccessLog = true };
        await server.InitializeAsync();
        return server;
    }

    /// <summary>Whether the access log is on (<see cref="StartWithAccessLogAsync"/>).</summary>
    public bool AccessLog { get; private init; }

    /// <summary>How many GETs of the blob the access log shows so far (a download: HEADs and mounts do not count).</summary>
    public int BlobGets(string digest) =>
        Log.Split('\n').Count(line => line.Contains("\"GET /v2/", StringComparison.Ordinal) && line.Contains("/blobs/" + digest + " ", StringComparison.Ordinal));

    public ImageReference Reference(string repositoryAndTag) => ImageReference.Parse($"{Host}/{repositoryAndTag}");

    /// <summary>A repository name no other test of this run uses.</summary>
    public static string NewRepository(string prefix = "test") =>
        $"{prefix}-{Interlocked.Increment(ref _repositoryCounter)}-{RandomNumberGenerator.GetHexString(6, lowercase: true)}";

    /// <summary>A client for this server with its options and credentials (or others given).</summary>
    public RegistryClient CreateClient(RegistryTransportOptions? options = null, IKeychain? keychain = null) =>
        new(Host, options ?? TransportOptions, keychain ?? Keychain);

    /// <summary>Writes a Docker config.json with this server's credentials (or the given password) into a directory.</summary>
    public string WriteDockerConfig(string directory, string? password = null)
    {
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Username ?? "nobody"}:{password ?? Password ?? ""}"));
        var path = Path.Combine(directory, "config.json");
        var config = new System.Text.Json.Nodes.JsonObject
        {
            ["auths"] = new System.Text.Json.Nodes.JsonObject { [Host] = new System.Text.Json.Nodes.JsonObject { ["auth"] = auth } },
        };
        File.WriteAllText(path, config.ToJsonString());
        return path;
    }

    public async Task InitializeAsync()
    {
        _work = new TempDirectory("drydock-registry-");
        Directory.CreateDirectory(StorageDirectory);
        if (UsesTls)
        {
            await CreateCertificatesAsync();
        }

        if (RedirectsBlobs)
        {
            var certificate = UsesTls && !PlainHttpStorage ? X509Certificate2.CreateFromPemFile(Work.Combine("tls", "server.crt"), Work.Combine("tls", "server.key")) : null;
            BlobStorage = new BlobStorageServer(StorageDirectory, certificate);
        }

        if (Mode is RegistryMode.TlsWithBasicAuth or RegistryMode.TokenAuth)
        {
            Username = "drydock";
            Password = "pw-" + RandomNumberGenerator.GetHexString(16, lowercase: true);
        }

        if (Mode == RegistryMode.TlsWithBasicAuth)
        {
            await ToolRunner.RunCheckedAsync("htpasswd", ["-Bbc", Work.Combine("htpasswd"), Username!, Password!], new ToolOptions { Secrets = [Password!] });
        }

        if (Mode == RegistryMode.TokenAuth)
        {
            Tokens = new TokenService(Username!, Password!, Work.Combine("token-signer.crt"));
        }

        // A port found free can be taken before the registry binds it: try a few.
        Exception? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            Port = LoopbackPort.Free();
            try
            {
                await StartProcessAsync();
                return;
            }
            catch (InvalidOperationException e)
            {
                last = e;
                await StopProcessAsync();
            }
        }

        throw new InvalidOperationException($"The registry did not start ({Mode}).", last);
    }

    /// <summary>Kills the registry's process (its storage stays until disposal): clients then find nothing listening.</summary>
    public Task StopAsync() => StopProcessAsync();

    public async Task DisposeAsync()
    {
        await StopProcessAsync();
        BlobStorage?.Dispose();
        Tokens?.Dispose();
        _work?.Dispose();
    }

    private IReadOnlyList<string> SkopeoFlags(string prefix)
    {
        var flags = new List<string>();
        if (UsesTls)
        {
            flags.Add($"--{prefix}cert-dir={CertDirectory}");
        }
        else
        {
            // skopeo does not treat 127.0.0.1 as insecure by itself; this lets it fall back to HTTP.
            flags.Add($"--{prefix}tls-verify=false");
        }

        if (Username is not null)
        {
            flags.Add($"--{prefix}creds={Username}:{Password}");
        }

        return flags;
    }

    private async Task CreateCertificatesAsync()
    {
        var tls = Work.Combine("tls");
        string P(string name) => Path.Combine(tls, name);
        await TestCertificates.CreateServerAsync(tls);
        CaCertificatePath = P("ca.crt");
        CertDirectory = Work.Combine("certs.d");
        Directory.CreateDirectory(CertDirectory);
        File.Copy(CaCertificatePath, Path.Combine(CertDirectory, "ca.crt"));
        if (Mode == RegistryMode.MutualTls)
        {
            await TestCertificates.CreateClientAsync(tls);
            ClientCertificatePath = P("client.crt");
            ClientKeyPath = P("client.key");

            // containers/image's cert-dir convention: *.crt are CAs, a *.cert with its *.key is the client pair.
            File.Copy(ClientCertificatePath, Path.Combine(CertDirectory, "client.cert"));
            File.Copy(ClientKeyPath, Path.Combine(CertDirectory, "client.key"));
        }
    }

    private async Task StartProcessAsync()
    {
        var config = new StringBuilder($"""
            version: 0.1
            log:
              level: info
              accesslog:
                disabled: {(AccessLog ? "false" : "true")}
            storage:
              filesystem:
                rootdirectory: {StorageDirectory}
              delete:
                enabled: true
              maintenance:
                uploadpurging:
                  enabled: false
            http:
              addr: 127.0.0.1:{Port}
              secret: drydock-test-secret

            """);
        if (UsesTls)
        {
            config.Append($"""
                  tls:
                    certificate: {Work.Combine("tls", "server.crt")}
                    key: {Work.Combine("tls", "server.key")}

                """);
            if (Mode == RegistryMode.MutualTls)
            {
                config.Append($"""
                        clientcas:
                          - {CaCertificatePath}

                    """);
            }
        }

        if (Mode == RegistryMode.TlsWithBasicAuth)
        {
            config.Append($"""
                auth:
                  htpasswd:
                    realm: drydock-test
                    path: {Work.Combine("htpasswd")}

                """);
        }

        if (Tokens is not null)
        {
            config.Append($"""
                auth:
                  token:
                    realm: {Tokens.Realm}
                    service: {TokenService.Service}
                    issuer: {TokenService.Issuer}
                    rootcertbundle: {Tokens.CertificatePath}

                """);
        }

        if (BlobStorage is not null)
        {
            config.Append($"""
                middleware:
                  storage:
                    - name: redirect
                      options:
                        baseurl: {BlobStorage.BaseUri}

                """);
        }

        if (ProxyRemote is not null)
        {
            config.Append($"""
                proxy:
                  remoteurl: {ProxyRemote.GetLeftPart(UriPartial.Authority)}

                """);
        }

        var configPath = Work.Combine("config.yml");
        await File.WriteAllTextAsync(configPath, config.ToString());

        var start = new ProcessStartInfo("docker-registry")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add(configPath);
        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitUntilReadyAsync(_process);
    }

    private async Task WaitUntilReadyAsync(Process process)
    {
        // Readiness only: any HTTP answer from /v2/ (200, or 401 with auth) means it is serving.
        using var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        if (ClientCertificatePath is not null)
        {
            handler.SslOptions.ClientCertificates = [X509Certificate2.CreateFromPemFile(ClientCertificatePath, ClientKeyPath)];
        }
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"docker-registry exited with {process.ExitCode}:\n{Log}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(BaseUri, "v2/"));
                if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Unauthorized)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(50);
        }

        throw new InvalidOperationException($"docker-registry did not answer on {BaseUri} within 30 s:\n{Log}");
    }

    private async Task StopProcessAsync()
    {
        if (_process is null)
        {
            return;
        }

        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
            // It never started.
        }

        _process.Dispose();
        _process = null;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }
}

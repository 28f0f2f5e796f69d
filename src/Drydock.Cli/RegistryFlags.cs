using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Drydock.Foundation.GoFormats;
using Drydock.Reference;
using Drydock.Registry.Auth;
using Drydock.Registry.Transport;

namespace Drydock.Cli;

/// <summary>
/// The registry flags every command that talks to registries takes, under kaniko's names:
/// plain HTTP and TLS verification per direction or per host, extra CAs, client certificates,
/// retries. One instance per command; <see cref="ToOptions"/> turns a parse into transport options.
/// </summary>
/// <param name="environment">Looks up an environment variable (the proxy and kaniko's registry variables).</param>
public sealed class RegistryFlags(Func<string, string?> environment)
{
    private readonly Option<bool> _insecure = new("--insecure") { Description = "Push over plain HTTP (and pull over it from the registries pushed to)." };
    private readonly Option<bool> _insecurePull = new("--insecure-pull") { Description = "Pull over plain HTTP." };
    private readonly Option<string[]> _insecureRegistry = new("--insecure-registry") { HelpName = "HOST", Description = "Talk plain HTTP to this registry (HOST[:PORT]), both ways; repeatable." };
    private readonly Option<bool> _skipTlsVerify = new("--skip-tls-verify") { Description = "Do not verify TLS certificates when pushing (nor when pulling from the registries pushed to)." };
    private readonly Option<bool> _skipTlsVerifyPull = new("--skip-tls-verify-pull") { Description = "Do not verify TLS certificates when pulling." };
    private readonly Option<string[]> _skipTlsVerifyRegistry = new("--skip-tls-verify-registry") { HelpName = "HOST", Description = "Do not verify this registry's TLS certificate (HOST[:PORT]), both ways; repeatable." };
    private readonly Option<string[]> _registryCertificate = new("--registry-certificate") { HelpName = "HOST=PATH", Description = "Trust a CA for one registry: HOST=PATH (a PEM file or a directory of them); repeatable." };
    private readonly Option<string[]> _registryClientCert = new("--registry-client-cert") { HelpName = "HOST=CERT,KEY", Description = "Present a client certificate to one registry (mutual TLS): HOST=CERT,KEY (PEM files); repeatable." };
    private readonly Option<string[]> _registryMirror = new("--registry-mirror") { HelpName = "HOST[/PATH]", Description = "Pull Docker Hub images from this mirror first (also $KANIKO_REGISTRY_MIRROR); repeatable, tried in order." };
    private readonly Option<string[]> _registryMap = new("--registry-map") { HelpName = "REGISTRY=MIRROR[;…]", Description = "Pull REGISTRY's images from MIRROR (HOST[/PATH]) first (also $KANIKO_REGISTRY_MAP); repeatable, tried in order." };
    private readonly Option<bool> _skipDefaultRegistryFallback = new("--skip-default-registry-fallback") { Description = "When no mirror has an image, fail instead of pulling it from its own registry." };
    private readonly Option<int> _pushRetry = new("--push-retry") { HelpName = "N", Description = "How many times a failed push request is tried again, with exponential backoff.", DefaultValueFactory = _ => new RegistryTransportOptions().PushRetries };
    private readonly Option<string> _pushStallTimeout = new("--push-stall-timeout") { HelpName = "DURATION", Description = "Abort and retry a blob upload that makes no progress for this long (e.g. 60s, 2m, or seconds).", DefaultValueFactory = _ => $"{new RegistryTransportOptions().PushStallTimeout.TotalSeconds:0}s" };
    private readonly Option<int> _imageDownloadRetry = new("--image-download-retry") { HelpName = "N", Description = "How many times a failed pull request is tried again, with exponential backoff.", DefaultValueFactory = _ => new RegistryTransportOptions().PullRetries };

    private IEnumerable<Option> All =>
    [
        _insecure, _insecurePull, _insecureRegistry, _skipTlsVerify, _skipTlsVerifyPull, _skipTlsVerifyRegistry,
        _registryCertificate, _registryClientCert, _registryMirror, _registryMap, _skipDefaultRegistryFallback, _pushRetry, _pushStallTimeout, _imageDownloadRetry,
    ];

    /// <summary>Adds the flags to a command, with checks that make a malformed value a parse error.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in All)
        {
            command.Options.Add(option);
        }

        _registryCertificate.Validators.Add(result => Check(result, value => RegistryTransportOptions.ParseHostPath(value)));
        _registryClientCert.Validators.Add(result => Check(result, value => RegistryTransportOptions.ParseClientCertificate(value)));
        _registryMirror.Validators.Add(result => Check(result, value => RegistryMirror.Parse(value)));
        _registryMap.Validators.Add(result => Check(result, value => RegistryTransportOptions.ParseRegistryMap(value)));
        _pushStallTimeout.Validators.Add(result =>
        {
            // An upload that moves nothing for a day has stalled; timers also stop at about 49 days.
            if (ParseDuration(result.GetValueOrDefault<string>()) is not { } duration || duration <= TimeSpan.Zero || duration > TimeSpan.FromHours(24))
            {
                result.AddError($"{result.Option.Name} takes a duration from 1ms to 24h, such as 30s, 2m or 1m30s (a bare number is seconds).");
            }
        });
        foreach (var retry in new[] { _pushRetry, _imageDownloadRetry })
        {
            retry.Validators.Add(result =>
            {
                if (result.GetValueOrDefault<int>() < 0)
                {
                    result.AddError($"{result.Option.Name} must be 0 or more.");
                }
            });
        }
    }

    /// <summary>
    /// The transport options the flags of a successful parse describe. Kaniko's
    /// <c>KANIKO_REGISTRY_MIRROR</c> and <c>KANIKO_REGISTRY_MAP</c> add to the mirror flags, as
    /// pipelines set them for the executor image; HTTP_PROXY, HTTPS_PROXY and NO_PROXY name the proxies.
    /// </summary>
    public RegistryTransportOptions ToOptions(ParseResult result)
    {
        var options = new RegistryTransportOptions
        {
            Insecure = result.GetValue(_insecure),
            InsecurePull = result.GetValue(_insecurePull),
            InsecureRegistries = result.GetValue(_insecureRegistry) ?? [],
            SkipTlsVerify = result.GetValue(_skipTlsVerify),
            SkipTlsVerifyPull = result.GetValue(_skipTlsVerifyPull),
            SkipTlsVerifyRegistries = result.GetValue(_skipTlsVerifyRegistry) ?? [],
            PushRetries = result.GetValue(_pushRetry),
            PushStallTimeout = ParseDuration(result.GetValue(_pushStallTimeout)) ?? new RegistryTransportOptions().PushStallTimeout,
            PullRetries = result.GetValue(_imageDownloadRetry),
            SkipDefaultRegistryFallback = result.GetValue(_skipDefaultRegistryFallback),
            Proxy = ProxySettings.FromEnvironment(environment),
        };
        foreach (var (host, path) in (result.GetValue(_registryCertificate) ?? []).Select(RegistryTransportOptions.ParseHostPath))
        {
            options = options.WithRegistryCertificate(host, path);
        }

        foreach (var (host, certificate) in (result.GetValue(_registryClientCert) ?? []).Select(RegistryTransportOptions.ParseClientCertificate))
        {
            options = options.WithClientCertificate(host, certificate);
        }

        var mirrors = (result.GetValue(_registryMirror) ?? []).Select(RegistryMirror.Parse).Concat(FromEnvironment<RegistryMirror>("KANIKO_REGISTRY_MIRROR", v => [RegistryMirror.Parse(v)]));
        foreach (var mirror in mirrors)
        {
            options = options.WithMirror(ImageReference.DockerHub, mirror);
        }

        var maps = (result.GetValue(_registryMap) ?? []).SelectMany(RegistryTransportOptions.ParseRegistryMap).Concat(FromEnvironment("KANIKO_REGISTRY_MAP", RegistryTransportOptions.ParseRegistryMap));
        foreach (var (registry, mirror) in maps)
        {
            options = options.WithMirror(registry, mirror);
        }

        return options;
    }

    /// <summary>Credentials as Docker and kaniko find them: DOCKER_CONFIG, ~/.docker, /kaniko/.docker, credential helpers on PATH.</summary>
    public static IKeychain Keychain(Func<string, string?> environment) => DockerConfigKeychain.FromEnvironment(environment);

    /// <summary>Parses a variable's value, if set; a malformed one is an error naming the variable.</summary>
    private IReadOnlyList<T> FromEnvironment<T>(string name, Func<string, IReadOnlyList<T>> parse)
    {
        if (environment(name) is not { Length: > 0 } value)
        {
            return [];
        }

        try
        {
            return parse(value);
        }
        catch (FormatException e)
        {
            throw new FormatException($"${name}: {e.Message}", e);
        }
    }

    /// <summary>A duration as kaniko's flags write them (Go's <c>1m30s</c>, <c>500ms</c>, <c>2h</c>), or a bare number of seconds.</summary>
    internal static TimeSpan? ParseDuration(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            value += "s";
        }

        try
        {
            return TimeSpan.FromTicks(GoDuration.ParseNanoseconds(value) / 100);
        }
        catch (GoFormatException)
        {
            return null;
        }
    }

    private static void Check(OptionResult result, Action<string> parse)
    {
        foreach (var value in result.GetValueOrDefault<string[]>() ?? [])
        {
            try
            {
                parse(value);
            }
            catch (FormatException e)
            {
                result.AddError($"{result.Option.Name}: {e.Message}");
            }
        }
    }
}

using System.CommandLine;
using System.CommandLine.Parsing;
using Drydock.Cache;
using Drydock.Reference;
using Drydock.Registry.Transport;

namespace Drydock.Cli;

/// <summary>
/// The flags of `drydock warm` (kaniko's warmer, also run as /kaniko/warmer), under kaniko's names:
/// what to warm (<c>--image</c>, <c>--dockerfile</c> with <c>--build-arg</c>), where
/// (<c>--cache-dir</c>), how fresh a copy must be to be kept (<c>--cache-ttl</c>, <c>--force</c>),
/// for which platform, and the registry flags.
/// </summary>
/// <param name="environment">Looks up an environment variable (build arguments given by name, the registry variables).</param>
public sealed class WarmFlags(Func<string, string?> environment)
{
    private readonly Option<string[]> _image = new("--image", "-i") { HelpName = "REF", Description = "An image to warm: [REGISTRY/]REPOSITORY[:TAG][@DIGEST]; repeatable." };
    private readonly Option<string?> _dockerfile = new("--dockerfile", "-d") { HelpName = "FILE", Description = "Warm every image this Dockerfile's FROM lines name (ARGs before the first FROM expanded with --build-arg)." };
    private readonly Option<string[]> _buildArg = new("--build-arg") { Description = "A build argument NAME=VALUE (or NAME to take it from the environment) for the FROM lines of --dockerfile; repeatable." };
    private readonly Option<string> _cacheDir = new("--cache-dir", "-c") { HelpName = "DIR", Description = "The directory to keep the images in, as an OCI image layout (created if missing).", DefaultValueFactory = _ => CacheFlags.KanikoCacheDirectory };
    private readonly Option<string?> _cacheTtl = new("--cache-ttl") { HelpName = "DURATION", Description = "How long a warmed tag counts as fresh, e.g. 6h or 336h (default: two weeks); a fresh one is not pulled again." };
    private readonly Option<bool> _force = new("--force", "-f") { Description = "Pull every image again, even one still fresh in the directory." };
    private readonly Option<string[]> _platform = new("--custom-platform", "--platform", "--customPlatform") { Description = "Warm the images for this platform (OS/ARCH[/VARIANT]), or each of a comma-separated list (default: this machine's)." };
    private readonly RegistryFlags _registry = new(environment);

    /// <summary>The log flags, which the command reads before anything else to set up its log.</summary>
    public LogFlags Log { get; } = new();

    public void AddTo(Command command)
    {
        foreach (var option in (Option[])[_image, _dockerfile, _buildArg, _cacheDir, _cacheTtl, _force, _platform])
        {
            command.Options.Add(option);
        }

        Log.AddTo(command);
        _registry.AddTo(command);
        _image.Validators.Add(CommandChecks.References);
        _cacheTtl.Validators.Add(CommandChecks.PositiveDuration);
        _platform.Validators.Add(result =>
        {
            try
            {
                PlatformList.Parse(result.GetValueOrDefault<string[]>() ?? []);
            }
            catch (FormatException e)
            {
                result.AddError(e.Message);
            }
        });
        command.Validators.Add(result =>
        {
            if (result.GetResult(_image) is not { Tokens.Count: > 0 } && result.GetResult(_dockerfile) is not { Tokens.Count: > 0 })
            {
                result.AddError("Nothing to warm: pass --image (-i) REF, or --dockerfile (-d) FILE to warm the images its FROM lines name.");
            }
        });
    }

    public IReadOnlyList<ImageReference> Images(ParseResult result) => (result.GetValue(_image) ?? []).Select(ImageReference.Parse).ToArray();

    public string? Dockerfile(ParseResult result) => result.GetValue(_dockerfile);

    public IReadOnlyList<KeyValuePair<string, string?>> BuildArgs(ParseResult result) => (result.GetValue(_buildArg) ?? []).Select(BuildFlags.ParseBuildArg).ToArray();

    public IReadOnlyList<Platform> Platforms(ParseResult result) => PlatformList.Parse(result.GetValue(_platform) ?? []);

    public string CacheDirectory(ParseResult result) => Path.GetFullPath(result.GetValue(_cacheDir)!);

    public TimeSpan Ttl(ParseResult result) => RegistryFlags.ParseDuration(result.GetValue(_cacheTtl)) ?? LayerCacheOptions.DefaultTtl;

    public bool Force(ParseResult result) => result.GetValue(_force);

    public RegistryTransportOptions Registry(ParseResult result) => _registry.ToOptions(result);
}

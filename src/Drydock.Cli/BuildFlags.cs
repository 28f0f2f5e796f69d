using System.CommandLine;
using System.CommandLine.Parsing;
using Drydock.Building;
using Drydock.Building.Mounts;
using Drydock.Context;
using Drydock.Layers;
using Drydock.Oci;
using Drydock.Reference;
using Drydock.Sandbox;
using Drydock.Snapshot;

namespace Drydock.Cli;

/// <summary>
/// The flags of `drydock build` / `drydock executor`, under kaniko's names with docker's short
/// forms. Every value is checked when the command line is parsed (a bad reference, platform,
/// label, secret or compression level fails before anything is opened), and
/// <see cref="ToOptions"/> turns a successful parse into typed <see cref="BuildOptions"/>.
/// </summary>
/// <param name="environment">Looks up an environment variable (the agent of <c>--ssh default</c>, secrets named by id, the registry variables).</param>
public sealed class BuildFlags(Func<string, string?> environment)
{
    private const LayerCompression DefaultCompression = LayerCompression.Gzip;

    private readonly Option<string?> _context = new("--context", "-c") { Description = "The build context: a directory (or dir://PATH); tar://PATH (a tar archive, plain, gzip, bzip2, xz or zstd); tar://stdin or - (a tar archive on standard input); git://HOST/PATH[#REF[#COMMIT]]; an http(s):// URL of a tar archive; or a tar archive in a bucket: s3://BUCKET/KEY, gs://BUCKET/PATH, https://ACCOUNT.blob.core.windows.net/CONTAINER/PATH." };
    private readonly Option<string?> _bucket = new("--bucket", "-b") { Description = "kaniko's older way to give a Google Cloud Storage context, instead of --context: BUCKET[/OBJECT] means gs://BUCKET[/OBJECT] (an URL is taken as it is)." };
    private readonly Option<string?> _contextSubPath = new("--context-sub-path") { Description = "Use this directory inside the context as the context." };
    private readonly Option<string[]> _git = new("--git") { Description = "How a git context is fetched: branch=NAME, single-branch=BOOL, recurse-submodules=BOOL, insecure-skip-tls=BOOL (comma-separated or repeated)." };
    private readonly Argument<string?> _contextArgument = new("CONTEXT") { Description = "The build context, as with docker build.", Arity = ArgumentArity.ZeroOrOne };
    private readonly Option<string?> _dockerfile = new("--dockerfile", "-f") { Description = "Path to the Dockerfile (default: CONTEXT/Dockerfile)." };
    private readonly Option<string[]> _destination = new("--destination", "-d", "-t") { Description = "Image reference to push to; repeat for several tags." };
    private readonly Option<string[]> _buildArg = new("--build-arg") { Description = "A build argument NAME=VALUE (or NAME to take it from the environment); repeatable." };
    private readonly Option<string[]> _platform = new("--custom-platform", "--platform", "--customPlatform") { Description = "Build for this platform (OS/ARCH[/VARIANT]): base images are pulled for it and the image says so. A comma-separated list, or the flag repeated, builds each and pushes an image index." };
    private readonly Option<string?> _target = new("--target") { Description = "Build this stage (by name) instead of the last one." };
    private readonly Option<bool?> _skipUnusedStages = new("--skip-unused-stages") { Description = "Build only the stages the target needs (default: on for `build`, off for `executor`, as in kaniko)." };
    private readonly Option<string[]> _label = new("--label") { Description = "Set a label KEY=VALUE on the image; repeatable." };
    private readonly Option<SnapshotterKind> _snapshotter = new("--snapshotter") { Description = "How changes are found: auto (overlay where mounting works), overlay, walk.", DefaultValueFactory = _ => SnapshotterKind.Auto };
    private readonly Option<SnapshotMode> _snapshotMode = new("--snapshot-mode", "--snapshotMode") { Description = "What counts as a change: full (content), redo (metadata), time (mtime).", DefaultValueFactory = _ => SnapshotMode.Full };
    private readonly Option<bool> _singleSnapshot = new("--single-snapshot") { Description = "Make one layer per stage instead of one per instruction." };
    private readonly Option<string[]> _ignorePath = new("--ignore-path") { Description = "An image path never snapshotted; repeatable." };
    private readonly Option<bool> _reproducible = new("--reproducible") { Description = "Clear timestamps (SOURCE_DATE_EPOCH when set) so the same inputs give the same digest." };
    private readonly Option<LayerCompression> _compression = new("--compression") { Description = "Layer compression: gzip, zstd or none.", DefaultValueFactory = _ => DefaultCompression };
    private readonly Option<int?> _compressionLevel = new("--compression-level") { Description = "Compression level (gzip 0-9, zstd -7 to 19)." };
    private readonly Option<bool> _noPush = new("--no-push") { Description = "Build without pushing to any registry." };
    private readonly Option<string?> _tarPath = new("--tar-path", "--tarPath") { Description = "Also save the image as a docker-archive tarball at this path." };
    private readonly Option<string?> _ociLayoutPath = new("--oci-layout-path") { Description = "Also save the image into an OCI image layout at this directory." };
    private readonly Option<string?> _digestFile = new("--digest-file") { Description = "Write the image's manifest digest to this file." };
    private readonly Option<string?> _imageNameWithDigestFile = new("--image-name-with-digest-file") { Description = "Write REPOSITORY@DIGEST of every destination to this file, one a line." };
    private readonly Option<string?> _imageNameTagWithDigestFile = new("--image-name-tag-with-digest-file") { Description = "Write REPOSITORY:TAG@DIGEST of every destination to this file, one a line." };
    private readonly Option<bool> _skipPushPermissionCheck = new("--skip-push-permission-check") { Description = "Do not check before the build that every destination accepts a push." };
    private readonly Option<bool> _pushIgnoreImmutableTagErrors = new("--push-ignore-immutable-tag-errors") { Description = "When a registry refuses to move an immutable tag, warn and go on instead of failing." };
    private readonly Option<string[]> _secret = new("--secret") { Description = "A secret for RUN --mount=type=secret: id=ID,src=PATH or id=ID,env=VARIABLE; repeatable." };
    private readonly Option<string[]> _ssh = new("--ssh") { Description = "An ssh agent for RUN --mount=type=ssh and git sources: default (the agent of $SSH_AUTH_SOCK), ID or ID=SOCKET; repeatable." };
    private readonly Option<string[]> _allow = new("--allow") { Description = "Allow an entitlement, as docker buildx does: security.insecure (or insecure) lets RUN --security=insecure run unconfined; repeatable." };
    private readonly Option<string?> _runCacheDir = new("--run-cache-dir") { Description = "Where RUN --mount=type=cache directories persist between builds (default: $XDG_CACHE_HOME/drydock/run-cache)." };
    private readonly Option<Isolation> _isolation = new("--isolation") { Description = "How RUN is isolated: auto (chroot where namespaces are allowed, else none inside a container), chroot, or none (kaniko's in-place build over the container's own /).", DefaultValueFactory = _ => Isolation.Auto };
    private readonly Option<bool> _force = new("--force") { Description = "Build in place (--isolation none) even where no sign of a container is found: the machine's / is replaced by the image's." };
    private readonly Option<bool> _ignoreVarRun = new("--ignore-var-run", "--whitelist-var-run") { Description = "In place, keep /var/run out of the image and untouched (default true).", DefaultValueFactory = _ => true };
    private readonly Option<string> _kanikoDir = new("--kaniko-dir") { Description = "The executor's own directory, never touched in place; the work directory goes there (default: $KANIKO_DIR, else /kaniko)." };
    private readonly Option<bool> _cleanup = new("--cleanup") { Description = "In place, empty the file system of what the build left there once it ends." };
    private readonly RegistryFlags _registry = new(environment);
    private readonly CacheFlags _cache = new();
    private readonly KanikoTuningFlags _tuning = new();

    /// <summary>The log flags, which the command reads before the options to set up its log.</summary>
    public LogFlags Log { get; } = new();

    /// <summary>Adds the flags to the command, with the checks that make a malformed value a parse error.</summary>
    public void AddTo(Command command)
    {
        command.Arguments.Add(_contextArgument);
        foreach (var option in (Option[])[
            _context, _dockerfile, _destination, _buildArg, _platform, _target, _skipUnusedStages, _label, _snapshotter, _snapshotMode, _singleSnapshot, _ignorePath,
            _reproducible, _compression, _compressionLevel, _noPush, _tarPath, _ociLayoutPath, _digestFile, _imageNameWithDigestFile, _imageNameTagWithDigestFile,
            _skipPushPermissionCheck, _pushIgnoreImmutableTagErrors, _secret, _ssh, _runCacheDir, _allow, _bucket, _contextSubPath, _git,
            _isolation, _force, _ignoreVarRun, _kanikoDir, _cleanup])
        {
            command.Options.Add(option);
        }

        Log.AddTo(command);
        _registry.AddTo(command);
        _cache.AddTo(command);
        _tuning.AddTo(command);
        _destination.Validators.Add(result => CheckEach(result, value => ParseDestination(value)));
        _label.Validators.Add(result => CheckEach(result, value => ParseLabel(value)));
        _secret.Validators.Add(result => CheckEach(result, value => SecretFlag.Parse(value, environment)));
        _ssh.Validators.Add(result => CheckEach(result, value => SshFlag.Parse(value, environment)));
        _allow.Validators.Add(result => CheckEach(result, value => ParseEntitlement(value)));
        _git.Validators.Add(result => Check(result, () => GitContextOptions.Parse(result.GetValueOrDefault<string[]>() ?? [])));
        _platform.Validators.Add(result => Check(result, () => PlatformList.Parse(result.GetValueOrDefault<string[]>() ?? [])));
        command.Validators.Add(CheckCommand);
    }

    /// <summary>How the error about a flag nobody knows begins.</summary>
    public const string UnknownFlagPrefix = "unknown flag ";

    /// <summary>The options a successful parse describes.</summary>
    public BuildOptions ToOptions(ParseResult result) => new()
    {
        Context = ContextSource.Parse(BucketContext(result.GetValue(_bucket)) ?? result.GetValue(_context) ?? result.GetValue(_contextArgument) ?? Directory.GetCurrentDirectory()) with
        {
            SubPath = result.GetValue(_contextSubPath),
            Git = GitContextOptions.Parse(result.GetValue(_git) ?? []),
            StandardInput = Console.OpenStandardInput,
        },
        Dockerfile = result.GetValue(_dockerfile),
        Destinations = (result.GetValue(_destination) ?? []).Select(ParseDestination).ToArray(),
        BuildArgs = (result.GetValue(_buildArg) ?? []).Select(ParseBuildArg).ToArray(),
        Platforms = PlatformList.Parse(result.GetValue(_platform) ?? []),
        Target = result.GetValue(_target),
        SkipUnusedStages = result.GetValue(_skipUnusedStages) ?? result.CommandResult.IdentifierToken?.Value != "executor",
        Labels = (result.GetValue(_label) ?? []).Select(ParseLabel).ToArray(),
        Snapshotter = result.GetValue(_snapshotter),
        SnapshotMode = result.GetValue(_snapshotMode),
        SingleSnapshot = result.GetValue(_singleSnapshot),
        IgnorePaths = result.GetValue(_ignorePath) ?? [],
        Reproducible = result.GetValue(_reproducible),
        Compression = result.GetValue(_compression),
        CompressionLevel = result.GetValue(_compressionLevel),
        NoPush = result.GetValue(_noPush),
        TarPath = result.GetValue(_tarPath),
        OciLayoutPath = result.GetValue(_ociLayoutPath),
        DigestFile = result.GetValue(_digestFile),
        ImageNameWithDigestFile = result.GetValue(_imageNameWithDigestFile),
        ImageNameTagWithDigestFile = result.GetValue(_imageNameTagWithDigestFile),
        SkipPushPermissionCheck = result.GetValue(_skipPushPermissionCheck),
        PushIgnoreImmutableTagErrors = result.GetValue(_pushIgnoreImmutableTagErrors),
        Registry = _registry.ToOptions(result),
        Secrets = (result.GetValue(_secret) ?? []).Select(text => SecretFlag.Parse(text, environment)).ToArray(),
        SshAgents = (result.GetValue(_ssh) ?? []).Select(text => SshFlag.Parse(text, environment)).ToArray(),
        RunCacheDirectory = result.GetValue(_runCacheDir),
        LayerCache = _cache.LayerCache(result),
        BaseImageCacheDirectory = _cache.BaseImageDirectory(result),
        BaseImageCacheTtl = _cache.Ttl(result),
        AllowInsecure = (result.GetValue(_allow) ?? []).Select(ParseEntitlement).Contains(Entitlement.SecurityInsecure),
        Isolation = result.GetValue(_isolation),
        Force = result.GetValue(_force),
        IgnoreVarRun = result.GetValue(_ignoreVarRun),
        KanikoDirectory = result.GetValue(_kanikoDir) ?? (environment("KANIKO_DIR") is { Length: > 0 } kanikoDir ? kanikoDir : "/kaniko"),
        Cleanup = result.GetValue(_cleanup),
    };

    /// <summary>The context --bucket names: a bare bucket (and object) is in Google Cloud Storage, as kaniko reads it.</summary>
    private static string? BucketContext(string? bucket) =>
        bucket is null ? null : bucket.Contains("://", StringComparison.Ordinal) ? bucket : "gs://" + bucket;

    /// <summary>The checks that take more than one flag, or the context argument.</summary>
    private void CheckCommand(CommandResult result)
    {
        // Tokens, not values: reading the value of an option that failed to parse throws.
        var contextToken = result.GetResult(_contextArgument)?.Tokens.FirstOrDefault()?.Value;
        // A bare "-" is standard input, as docker takes it.
        if (contextToken is not null && contextToken.StartsWith('-') && contextToken != "-")
        {
            // An unknown flag lands here as if it were the context directory.
            result.AddError($"{UnknownFlagPrefix}'{contextToken}' (or a flag missing its value)");
            return;
        }

        if (contextToken is not null && HasValue(result, _context))
        {
            result.AddError("Give the context once: either --context or the CONTEXT argument.");
        }

        if (HasValue(result, _bucket) && (contextToken is not null || HasValue(result, _context)))
        {
            result.AddError("Give the context once: either --bucket or --context (or the CONTEXT argument).");
        }

        if (!HasValue(result, _destination) && result.GetResult(_noPush) is null)
        {
            result.AddError("Nowhere to push: pass --destination (-d) or use --no-push.");
        }

        _cache.CheckRepository(result, pushes: HasValue(result, _destination) && !result.GetValue(_noPush));
        foreach (var file in new[] { _imageNameWithDigestFile, _imageNameTagWithDigestFile }.Where(o => HasValue(result, o) && !HasValue(result, _destination)))
        {
            result.AddError($"{file.Name} names the image at its destinations: pass --destination (-d) too.");
        }

        if (HasValue(result, _tarPath) && TryValue(result, _platform) is { } values && TryPlatforms(values) is { Count: > 1 } platforms)
        {
            result.AddError(
                $"--tar-path cannot hold {platforms.Count} platforms ({string.Join(", ", platforms)}): a docker-archive tarball holds one image; build one platform for it, or use --oci-layout-path");
        }

        if (HasValue(result, _compressionLevel) && TryValue(result, _compressionLevel) is { } level)
        {
            // Validators see the values given, not the defaults of options left out.
            var compression = HasValue(result, _compression) ? TryValue(result, _compression) : DefaultCompression;
            try
            {
                LayerCompressionStreams.LevelFor(compression, level);
            }
            catch (ArgumentOutOfRangeException e)
            {
                result.AddError($"--compression-level {level}: {e.Message.Split(" (Parameter")[0]}");
            }
        }
    }

    /// <summary>Which flag gives the build an input a step missed, in the form that gives it.</summary>
    public static string HowToGive(MissingBuildInput missing)
    {
        ArgumentNullException.ThrowIfNull(missing);
        var id = missing.Id;
        return missing.Kind switch
        {
            BuildInputKind.Secret => $"pass it to the build: --secret id={id},src=FILE or --secret id={id},env=VARIABLE",
            BuildInputKind.SshAgent => $"pass one: --ssh {id} (the agent of $SSH_AUTH_SOCK) or --ssh {id}=SOCKET",
            BuildInputKind.Entitlement => $"if the Dockerfile is trusted, allow it: --allow {id}",
            BuildInputKind.Confirmation => "if this machine's / may really be replaced by the image's files, pass --force; else use --isolation chroot",
            _ => throw new ArgumentOutOfRangeException(nameof(missing), missing.Kind, "an input no flag gives"),
        };
    }

    private static ImageReference ParseDestination(string destination)
    {
        try
        {
            return ImageReference.Parse(destination);
        }
        catch (FormatException e)
        {
            throw new FormatException($"invalid --destination '{destination}': {e.Message}", e);
        }
    }

    /// <summary>BuildKit's entitlements that Drydock knows; network.host is not one, since RUN shares the host's network by default.</summary>
    private enum Entitlement
    {
        SecurityInsecure,
    }

    private static Entitlement ParseEntitlement(string text) => text switch
    {
        "security.insecure" or "insecure" => Entitlement.SecurityInsecure,
        _ => throw new ArgumentException($"--allow '{text}' is not an entitlement Drydock knows: use security.insecure (for RUN --security=insecure)."),
    };

    /// <summary>NAME=VALUE, or NAME alone (its value then comes from the environment).</summary>
    internal static KeyValuePair<string, string?> ParseBuildArg(string text)
    {
        var equals = text.IndexOf('=');
        return equals < 0 ? new(text, null) : new(text[..equals], text[(equals + 1)..]);
    }

    private static KeyValuePair<string, string> ParseLabel(string text)
    {
        var equals = text.IndexOf('=');
        return equals <= 0
            ? throw new ArgumentException($"--label '{text}' is not KEY=VALUE (for example org.opencontainers.image.source=https://example.com/repo).")
            : new(text[..equals], text[(equals + 1)..]);
    }

    private static IReadOnlyList<Platform>? TryPlatforms(string[] values)
    {
        try
        {
            return PlatformList.Parse(values);
        }
        catch (FormatException)
        {
            return null; // the option's own check reports it
        }
    }

    private static bool HasValue(CommandResult result, Option option) =>
        result.GetResult(option) is { Tokens.Count: > 0 };

    /// <summary>The option's value, or its default when it failed to parse (its own error is reported then).</summary>
    private static T? TryValue<T>(CommandResult result, Option<T> option)
    {
        try
        {
            return result.GetValue(option);
        }
        catch (InvalidOperationException)
        {
            return default;
        }
    }

    private static void CheckEach(OptionResult result, Action<string> parse)
    {
        foreach (var value in result.GetValueOrDefault<string[]>() ?? [])
        {
            Check(result, () => parse(value));
        }
    }

    private static void Check(OptionResult result, Action parse)
    {
        try
        {
            parse();
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            result.AddError(e.Message);
        }
    }
}

using System.Globalization;
using Drydock.Building.Caching;
using Drydock.Building.Mounts;
using Drydock.Cache;
using Drydock.Context;
using Drydock.Dockerfile;
using Drydock.Layers;
using Drydock.Oci;
using Drydock.Reference;
using Drydock.Registry;
using Drydock.Registry.Auth;
using Drydock.Registry.Transport;
using Drydock.Sandbox;
using Drydock.Snapshot;

namespace Drydock.Building;

/// <summary>
/// Runs one build: Dockerfile and context in, image pushed and saved out; returns the manifest
/// digest, or the index digest when several platforms are built. It is given what reaches outside
/// the process (the sandbox RUN steps run in, the registry credentials, the environment), and it
/// is the only reader of <see cref="BuildOptions"/>: it derives the narrow settings of every part
/// of the build once, here.
/// </summary>
/// <param name="sandboxes">Runs RUN steps: the sandbox of the isolation chosen (chroot or none).</param>
/// <param name="keychain">Credentials for the registries pulled from and pushed to.</param>
/// <param name="log">Where progress goes.</param>
/// <param name="environment">Looks up an environment variable (SOURCE_DATE_EPOCH, build arguments given by name, secrets, the cache home).</param>
public sealed class Builder(Func<Isolation, ISandbox> sandboxes, IKeychain keychain, IBuildLog log, Func<string, string?> environment)
{
    private const string MountInfo = "/proc/self/mountinfo";

    /// <param name="sandbox">Runs RUN steps, whatever the isolation.</param>
    public Builder(ISandbox sandbox, IKeychain keychain, IBuildLog log, Func<string, string?> environment)
        : this(_ => sandbox, keychain, log, environment)
    {
    }

    /// <summary>What choosing the isolation looks at; null means this machine.</summary>
    public IsolationProbes? Probes { get; init; }

    /// <summary>The root an in-place build replaces: "/" but in tests, which give a throwaway directory.</summary>
    public string InPlaceRoot { get; init; } = "/";

    public async Task<Digest> RunAsync(BuildOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);

        // Said up front, rather than as a failed chown at the first COPY or layer.
        if (!Environment.IsPrivilegedProcess)
        {
            throw new BuildException(
                "drydock build needs root: it gives files their owners in the image's filesystem and runs RUN steps in namespaces. " +
                "Run it as root (in a container, as kaniko's executor runs); rootless builds are not supported yet");
        }

        var isolation = await IsolationPlan.DecideAsync(
            options.Isolation, options.Force, InPlaceRoot, Probes ?? IsolationProbes.Of(environment), log, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<Platform> platforms = options.Platforms.Count == 0 ? [Platform.Host] : options.Platforms;
        var outputs = OutputsOf(options, platforms.Count);
        // In place, /tmp belongs to the root that each stage replaces; the executor's directory is never touched.
        using var work = WorkDirectory.Create(options.WorkDirectory, isolation.InPlace ? options.KanikoDirectory : null);
        var context = await BuildContextOpener.OpenAsync(options.Context, options.Dockerfile, work.Path, environment, log.Warn, cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            var text = await context.ReadDockerfileAsync(cancellationToken).ConfigureAwait(false);
            var document = DockerfileParser.Parse(text, DisplayName(context));
            foreach (var warning in document.Warnings)
            {
                log.Warn(warning.ToString() ?? "");
            }

            using var registries = new RegistryClientPool(TransportOptions(options, outputs), keychain);
            await ImageOutputs.CheckPushAccessAsync(outputs, registries, cancellationToken).ConfigureAwait(false);
            var shared = await SharedSettingsAsync(options, isolation, work, cancellationToken).ConfigureAwait(false);
            // --cleanup: what the build left on the root goes however it ends.
            using var cleanup = options.Cleanup ? shared.Roots?.ResetOnDispose() : null;
            await using var uploads = LayerStreaming.UploadsFor(outputs, registries, log);
            // Declared after the uploads, so it is disposed first: the build waits for its entries to be stored.
            await using var layerCache = OpenLayerCache(options, outputs, registries);
            if (layerCache is not null && outputs.CheckPushAccess)
            {
                await layerCache.CheckStoreAccessAsync(cancellationToken).ConfigureAwait(false);
            }
            var resolver = new BaseImageResolver(registries, options.BaseImageCacheDirectory is { } cacheDirectory ? new BaseImageCache(cacheDirectory, options.BaseImageCacheTtl) : null, log);
            var digester = new SourceDigester();
            var builds = platforms.Select(p => Prepare(options, document, context, p, platforms.Count, work, resolver, shared, uploads, layerCache, digester)).ToArray();
            if (builds.Length > 1)
            {
                await CheckBasesAsync(builds, cancellationToken).ConfigureAwait(false);
            }

            var images = new List<Image>();
            foreach (var build in builds)
            {
                if (builds.Length > 1)
                {
                    log.Info($"Building for {build.Platform} ({images.Count + 1}/{builds.Length})");
                }

                foreach (var stage in build.Plan.Stages)
                {
                    await build.Builder.BuildAsync(stage, cancellationToken).ConfigureAwait(false);
                }

                images.Add(WithLabels(build.Stages.ImageOf(build.Plan.Target), options.Labels));
            }

            // An argument one platform's stages consumed was used.
            foreach (var unused in builds.Select(b => b.Arguments.Unused).Aggregate((a, b) => [.. a.Intersect(b)]))
            {
                log.Warn($"the build argument {unused} was not consumed by any ARG");
            }

            if (layerCache is not null)
            {
                var hits = builds.Sum(b => b.State.Cache!.Hits);
                var lookups = builds.Sum(b => b.State.Cache!.Lookups);
                log.Info($"Layer cache: {hits} of {lookups} step(s) looked up in {layerCache.Name} were cached");
            }

            var digest = await ImageOutputs.WriteAsync(images, outputs, registries, log, uploads, cancellationToken).ConfigureAwait(false);
            log.Info($"Built {digest}");
            return digest;
        }
    }

    /// <summary>What building one platform takes: its arguments, plan, stages and stage builder.</summary>
    private sealed record PlatformBuild(Platform Platform, BuildArguments Arguments, BuildPlan Plan, BuildState State, StageBuilder Builder)
    {
        public BuiltStages Stages => State.Stages;
    }

    /// <summary>The settings every platform of the build shares, derived from the options once.</summary>
    private sealed record SharedSettings(BuildClock Clock, LayerWriteOptions LayerWrite, SnapshotPolicy Snapshots, RunMountOptions RunMounts, ISandbox Sandbox, InPlaceRoot? Roots);

    /// <summary>
    /// Where the image goes. The one push decision: to the destinations unless told not to push.
    /// A docker-archive tarball holds one image, so it cannot take several platforms (the command
    /// line refuses that combination when it parses the flags; a library caller learns it here).
    /// </summary>
    private static BuildOutputs OutputsOf(BuildOptions options, int platformCount)
    {
        if (options.TarPath is not null && platformCount > 1)
        {
            throw new ArgumentException($"a docker-archive tarball holds one image, not {platformCount} platforms' images; build one platform for it, or save an OCI layout", nameof(options));
        }

        return new BuildOutputs(
            options.Destinations, Push: !options.NoPush && options.Destinations.Count > 0, options.TarPath, options.OciLayoutPath, options.DigestFile)
        {
            ImageNameWithDigestFile = options.ImageNameWithDigestFile,
            ImageNameTagWithDigestFile = options.ImageNameTagWithDigestFile,
            CheckPushAccess = !options.SkipPushPermissionCheck,
            IgnoreImmutableTags = options.PushIgnoreImmutableTagErrors,
        };
    }

    private async Task<SharedSettings> SharedSettingsAsync(BuildOptions options, IsolationPlan isolation, WorkDirectory work, CancellationToken cancellationToken)
    {
        var epoch = long.TryParse(environment("SOURCE_DATE_EPOCH"), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? seconds : (long?)null;
        var layerWrite = LayerWriteOptions.Default with
        {
            Compression = options.Compression,
            CompressionLevel = options.CompressionLevel,
            Reproducible = options.Reproducible,
            SourceDateEpoch = epoch,
            Warn = log.Warn,
        };

        // With --reproducible every time in the image is this one (SOURCE_DATE_EPOCH, else the epoch).
        var clock = new BuildClock(options.Reproducible ? DateTimeOffset.FromUnixTimeSeconds(epoch ?? 0) : null);
        var cacheRoot = options.RunCacheDirectory is { } directory ? Path.GetFullPath(directory)
            : isolation.InPlace ? Path.Combine(options.KanikoDirectory, "run-cache")
            : RunCacheStore.DefaultRoot(environment);
        var inPlace = isolation.InPlace ? InPlaceRootOf(options, isolation.Root, work, cacheRoot) : null;
        var snapshotOptions = new SnapshotOptions
        {
            Mode = options.SnapshotMode,
            IgnoredPaths = inPlace is null ? [.. WalkingSnapshotter.SystemPaths, .. options.IgnorePaths] : [.. inPlace.Ignored.Paths],
        };
        var snapshots = await SnapshotPolicy.DecideAsync(options.Snapshotter, snapshotOptions, options.SingleSnapshot, inPlace is not null, work, log, cancellationToken).ConfigureAwait(false);
        var runMounts = new RunMountOptions(new RunCacheStore(cacheRoot), options.Secrets, options.SshAgents);
        return new SharedSettings(clock, layerWrite, snapshots, runMounts, sandboxes(isolation.Isolation), inPlace);
    }

    /// <summary>
    /// The in-place root and its ignore list: the kernel's file systems, /etc/mtab, /var/run (unless
    /// told otherwise), the debug image's /busybox, the paths the user named, the executor's, work
    /// and cache directories, the build's inputs and outputs, and every mount point (the project
    /// directory, /etc/hosts, secrets…).
    /// </summary>
    private InPlaceRoot InPlaceRootOf(BuildOptions options, string root, WorkDirectory work, string cacheRoot)
    {
        string[] imagePaths = [.. WalkingSnapshotter.SystemPaths, "/etc/mtab", "/busybox", .. options.IgnoreVarRun ? (string[])["/var/run"] : [], .. options.IgnorePaths];
        var mountInfo = File.Exists(MountInfo) ? File.ReadAllText(MountInfo) : null;
        // The build's own inputs and outputs too, wherever they are: a context cloned into /workspace
        // must outlive the first stage's reset, an image saved to /workspace the clean-up.
        string?[] inputsAndOutputs =
        [
            options.Context.Kind is ContextKind.Directory or ContextKind.Tar ? options.Context.Location : null, options.Dockerfile is { } dockerfile && Path.IsPathRooted(dockerfile) ? dockerfile : null,
            .. options.Secrets.Select(secret => secret.FilePath),
            options.TarPath, options.OciLayoutPath, options.DigestFile, options.ImageNameWithDigestFile, options.ImageNameTagWithDigestFile, options.BaseImageCacheDirectory,
        ];
        string[] hostPaths = [options.KanikoDirectory, work.Path, cacheRoot, .. inputsAndOutputs.OfType<string>()];
        var ignored = Building.InPlaceRoot.IgnoreList(root, imagePaths, hostPaths.Select(Path.GetFullPath), mountInfo);
        log.Debug($"in place over {root}, never touched: {string.Join(", ", ignored.Paths.Order(StringComparer.Ordinal))}");
        return new InPlaceRoot(root, ignored);
    }

    /// <summary>
    /// Sets up one platform's build. One of several gets a work directory of its own and its log
    /// lines marked with the platform.
    /// </summary>
    private PlatformBuild Prepare(
        BuildOptions options, DockerfileDocument document, IBuildContext context, Platform platform, int platformCount, WorkDirectory work, BaseImageResolver resolver, SharedSettings shared, EarlyBlobUploads? uploads,
        LayerCache? layerCache, SourceDigester digester)
    {
        var platformWork = platformCount == 1 ? work : work.Subdirectory("platform-" + platform.ToString().Replace('/', '-'));
        var platformLog = platformCount == 1 ? log : new PlatformBuildLog(log, platform);
        var buildArgs = new BuildArguments(options.BuildArgs, environment, platform, Platform.Host);
        DeclareMetaArgs(document, buildArgs);
        var plan = BuildPlan.Create(document, buildArgs.MetaVariables, options.Target, options.SkipUnusedStages);
        var stages = new BuiltStages(document, resolver, platformWork, platformLog);
        var state = new BuildState(
            document,
            context,
            shared.Sandbox,
            platformWork,
            platformLog,
            shared.Clock,
            environment,
            platform,
            buildArgs,
            stages,
            shared.Snapshots,
            shared.LayerWrite,
            new LayerStreaming(uploads, BuildPlan.BaseChain(document, buildArgs.MetaVariables, plan.Target)),
            shared.RunMounts,
            options.AllowInsecure,
            new StageRoots(platformWork, shared.Roots),
            layerCache is null ? null : new StepCache(layerCache, new StepKeys(digester), platformLog));
        return new PlatformBuild(platform, buildArgs, plan, state, new StageBuilder(state));
    }

    /// <summary>
    /// The layer cache the options ask for; none with a single snapshot, whose one layer per stage
    /// no step's key could name.
    /// </summary>
    private LayerCache? OpenLayerCache(BuildOptions options, BuildOutputs outputs, RegistryClientPool registries)
    {
        if (options.LayerCache is not { } cache)
        {
            return null;
        }

        if (options.SingleSnapshot)
        {
            log.Warn("--single-snapshot makes one layer per stage, which no step's cache entry can stand for: the layer cache is not used");
            return null;
        }

        try
        {
            var layerCache = LayerCache.Open(cache, outputs.Destinations.FirstOrDefault(), registries, log.Warn, () => DateTimeOffset.UtcNow);
            log.Info($"Layer cache: {layerCache.Name}");
            return layerCache;
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new BuildException(e.Message);
        }
    }

    /// <summary>Resolves every platform's base images before the first step, so a base lacking one platform fails in seconds.</summary>
    private static async Task CheckBasesAsync(IEnumerable<PlatformBuild> builds, CancellationToken cancellationToken)
    {
        foreach (var build in builds)
        {
            foreach (var stage in build.Plan.Stages)
            {
                await build.Builder.CheckBaseAsync(stage, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Labels given to the build go on the final image only, over the Dockerfile's LABELs.</summary>
    private static Image WithLabels(Image image, IReadOnlyList<KeyValuePair<string, string>> labels)
    {
        if (labels.Count == 0)
        {
            return image;
        }

        var config = image.Config with { Config = image.Config.Config with { Labels = ConfigEdits.SetLabels(image.Config.Config.Labels, labels) } };
        return Image.Create(config, image.Layers, MediaTypes.IsDocker(image.MediaType));
    }

    /// <summary>The ARGs before the first FROM, expanded in order with the ones already declared.</summary>
    internal static void DeclareMetaArgs(DockerfileDocument document, BuildArguments buildArgs)
    {
        foreach (var arg in document.MetaArgs)
        {
            foreach (var definition in arg.Args)
            {
                var expander = new VariableExpander(document.EscapeChar, buildArgs.MetaVariables);
                var expanded = definition.DefaultValue is null ? null : expander.Word(definition.DefaultValue, arg.Location);
                buildArgs.DeclareMeta(definition.Name, expanded);
            }
        }
    }

    /// <summary>How the Dockerfile is named in messages: its path relative to the context when inside it.</summary>
    private static string DisplayName(IBuildContext context)
    {
        var relative = Path.GetRelativePath(context.Root, context.DockerfilePath);
        return relative.StartsWith("..", StringComparison.Ordinal) ? context.DockerfilePath : relative;
    }

    /// <summary>The registry options, told where this build pushes (the push-only settings also cover pulls from there).</summary>
    private static RegistryTransportOptions TransportOptions(BuildOptions options, BuildOutputs outputs)
    {
        var cacheRegistry = options.LayerCache is { } cache && cache.Repository?.StartsWith(LayerCacheOptions.LayoutScheme, StringComparison.Ordinal) != true
            && (cache.Repository is not null || outputs.Destinations.Count > 0)
            && ImageReference.TryParse(cache.Repository ?? outputs.Destinations[0].Name, out var repository)
                ? [repository.Registry]
                : Array.Empty<string>();
        return options.Registry with { PushRegistries = [.. options.Registry.PushRegistries, .. outputs.Destinations.Select(d => d.Registry), .. cacheRegistry] };
    }
}

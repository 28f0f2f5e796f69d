using Drydock.Context;
using Drydock.Dockerfile;
using Drydock.Oci;
using Drydock.Reference;
using Drydock.Registry;
using Drydock.Registry.Auth;
using Drydock.Registry.Transport;
using Drydock.Sandbox;

namespace Drydock.Build;

/// <summary>
/// Runs one build: Dockerfile and context in, image pushed and saved out; returns the manifest
/// digest, or the index digest when several platforms are built.
/// </summary>
public sealed class Builder(BuildOptions options, IBuildLog log)
{
    public async Task<Digest> RunAsync(CancellationToken cancellationToken)
    {
        // Said up front, rather than as a failed chown at the first COPY or layer.
        if (!Environment.IsPrivilegedProcess)
        {
            throw new BuildException(
                "drydock build needs root: it gives files their owners in the image's filesystem and runs RUN steps in namespaces. " +
                "Run it as root (in a container, as kaniko's executor runs); rootless builds are not supported yet");
        }

        // Check every destination and platform before any work, so a typo fails in a second, not after the build.
        var destinations = options.Destinations.Select(ParseDestination).ToArray();
        var platforms = TargetPlatforms.Parse(options.Platforms);
        if (platforms.Count > 1 && options.TarPath is not null)
        {
            throw new BuildException(
                $"--tar-path cannot hold {platforms.Count} platforms ({string.Join(", ", platforms)}): a docker-archive tarball holds one image; build one platform for it, or use --oci-layout-path");
        }

        var contextPath = options.Context.StartsWith("dir://", StringComparison.Ordinal) ? options.Context["dir://".Length..] : options.Context;
        var context = await DirectoryContext.OpenAsync(contextPath, options.Dockerfile, cancellationToken: cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            var text = await context.ReadDockerfileAsync(cancellationToken).ConfigureAwait(false);
            var document = DockerfileParser.Parse(text, DisplayName(context));
            foreach (var warning in document.Warnings)
            {
                log.Warn(warning.ToString() ?? "");
            }

            using var work = WorkDirectory.Create(options.WorkDirectory);
            using var registries = new RegistryClientPool(TransportOptions(destinations), DockerConfigKeychain.FromEnvironment(Environment.GetEnvironmentVariable));
            var layers = await LayerSettings.CreateAsync(options, work, log, cancellationToken).ConfigureAwait(false);
            await using var uploads = LayerStreaming.UploadsFor(options, destinations, registries, log);
            var resolver = new BaseImageResolver(registries);
            var builds = platforms.Select(p => Prepare(document, context, p, platforms.Count, work, resolver, layers, uploads)).ToArray();
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

                images.Add(WithCommandLineLabels(build.Stages.ImageOf(build.Plan.Target)));
            }

            // An argument one platform's stages consumed was used.
            foreach (var unused in builds.Select(b => b.Arguments.Unused).Aggregate((a, b) => [.. a.Intersect(b)]))
            {
                log.Warn($"the build argument {unused} was not consumed by any ARG");
            }

            var digest = await ImageOutputs.WriteAsync(images, options, destinations, registries, log, uploads, cancellationToken).ConfigureAwait(false);
            log.Info($"Built {digest}");
            return digest;
        }
    }

    /// <summary>What building one platform takes: its arguments, plan, stages and stage builder.</summary>
    private sealed record PlatformBuild(Platform Platform, BuildArguments Arguments, BuildPlan Plan, BuildStages Stages, StageBuilder Builder);

    /// <summary>
    /// Sets up one platform's build. One of several gets a work directory of its own and its log
    /// lines marked with the platform.
    /// </summary>
    private PlatformBuild Prepare(
        DockerfileDocument document, IBuildContext context, Platform platform, int platformCount, WorkDirectory work, BaseImageResolver resolver, LayerSettings layers, EarlyBlobUploads? uploads)
    {
        var platformWork = platformCount == 1 ? work : work.Subdirectory("platform-" + platform.ToString().Replace('/', '-'));
        var platformLog = platformCount == 1 ? log : new PlatformBuildLog(log, platform);
        var buildArgs = new BuildArguments(options.BuildArgs, Environment.GetEnvironmentVariable, platform, Platform.Host);
        DeclareMetaArgs(document, buildArgs);
        var plan = BuildPlan.Create(document, buildArgs.MetaVariables, options.Target, options.SkipUnusedStages);
        var stages = new BuildStages(document, resolver, platformWork, platformLog);
        var streaming = new LayerStreaming(uploads, BuildPlan.BaseChain(document, buildArgs.MetaVariables, plan.Target));
        var builder = new StageBuilder(document, context, new ChrootSandbox(), platformWork, buildArgs, stages, platformLog, Mounts.RunMountOptions.From(options), layers, platform, streaming);
        return new PlatformBuild(platform, buildArgs, plan, stages, builder);
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

    /// <summary>--label values go on the final image only, over the Dockerfile's LABELs.</summary>
    private Image WithCommandLineLabels(Image image)
    {
        if (options.Labels.Count == 0)
        {
            return image;
        }

        var config = image.Config with { Config = image.Config.Config with { Labels = ConfigEdits.SetLabels(image.Config.Config.Labels, options.Labels) } };
        return Image.Create(config, image.Layers, MediaTypes.IsDocker(image.MediaType));
    }

    private static ImageReference ParseDestination(string destination)
    {
        try
        {
            return ImageReference.Parse(destination);
        }
        catch (FormatException e)
        {
            throw new BuildException($"invalid --destination '{destination}': {e.Message}");
        }
    }

    /// <summary>The ARGs before the first FROM, expanded in order with the ones already declared.</summary>
    private static void DeclareMetaArgs(DockerfileDocument document, BuildArguments buildArgs)
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

    /// <summary>The registry options, told where this build pushes (the push-only flags also cover pulls from there).</summary>
    private RegistryTransportOptions TransportOptions(IReadOnlyList<ImageReference> destinations) =>
        options.Registry with { PushRegistries = [.. options.Registry.PushRegistries, .. destinations.Select(d => d.Registry)] };
}

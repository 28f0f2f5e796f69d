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
            using var registries = new RegistryClients(TransportOptions(destinations), DockerConfigKeychain.FromEnvironment());
            var layers = await LayerSettings.CreateAsync(options, work, log, cancellationToken).ConfigureAwait(false);
            await using var uploads = LayerStreaming.UploadsFor(options, destinations, registries, log);
            var images = new List<Image>();
            IReadOnlyList<string>? unusedArgs = null;
            foreach (var platform in platforms)
            {
                var (image, unused) = platforms.Count == 1
                    ? await BuildPlatformAsync(document, context, platform, work, registries, layers, uploads, log, cancellationToken).ConfigureAwait(false)
                    : await BuildOneOfManyAsync(document, context, platform, images.Count, platforms.Count, work, registries, layers, uploads, cancellationToken).ConfigureAwait(false);
                images.Add(image);
                unusedArgs = unusedArgs is null ? unused : [.. unusedArgs.Intersect(unused)];
            }

            foreach (var unused in unusedArgs ?? [])
            {
                log.Warn($"the build argument {unused} was not consumed by any ARG");
            }

            var digest = await ImageOutputs.WriteAsync(images, options, destinations, registries, log, uploads, cancellationToken).ConfigureAwait(false);
            log.Info($"Built {digest}");
            return digest;
        }
    }

    /// <summary>One platform of several: in a work directory of its own, every log line marked with the platform.</summary>
    private Task<(Image Image, IReadOnlyList<string> UnusedArgs)> BuildOneOfManyAsync(
        DockerfileDocument document, IBuildContext context, Platform platform, int done, int count, WorkDirectory work, RegistryClients registries, LayerSettings layers, EarlyBlobUploads? uploads, CancellationToken cancellationToken)
    {
        log.Info($"Building for {platform} ({done + 1}/{count})");
        var platformWork = work.Subdirectory("platform-" + platform.ToString().Replace('/', '-'));
        return BuildPlatformAsync(document, context, platform, platformWork, registries, layers, uploads, new PlatformBuildLog(log, platform), cancellationToken);
    }

    /// <summary>Builds the target stage for one platform; returns its image and the build arguments it left unused.</summary>
    private async Task<(Image Image, IReadOnlyList<string> UnusedArgs)> BuildPlatformAsync(
        DockerfileDocument document, IBuildContext context, Platform platform, WorkDirectory work, RegistryClients registries, LayerSettings layers, EarlyBlobUploads? uploads, IBuildLog platformLog, CancellationToken cancellationToken)
    {
        var buildArgs = new BuildArguments(options.BuildArgs, Environment.GetEnvironmentVariable, platform, Platform.Host);
        DeclareMetaArgs(document, buildArgs);
        var plan = BuildPlan.Create(document, buildArgs.MetaVariables, options.Target, options.SkipUnusedStages);
        var stages = new BuildStages(document, registries, work, platformLog);
        var streaming = new LayerStreaming(uploads, BuildPlan.BaseChain(document, buildArgs.MetaVariables, plan.Target));
        var builder = new StageBuilder(document, context, registries, new ChrootSandbox(), work, buildArgs, stages, platformLog, Mounts.RunMountOptions.From(options), layers, platform, streaming);
        foreach (var stage in plan.Stages)
        {
            await builder.BuildAsync(stage, cancellationToken).ConfigureAwait(false);
        }

        return (WithCommandLineLabels(stages.ImageOf(plan.Target)), [.. buildArgs.Unused]);
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

using Drydock.Context;
using Drydock.Dockerfile;
using Drydock.Oci;
using Drydock.Reference;
using Drydock.Registry;
using Drydock.Registry.Auth;
using Drydock.Registry.Transport;
using Drydock.Sandbox;

namespace Drydock.Build;

/// <summary>Runs one build: Dockerfile and context in, image pushed and saved out; returns the manifest digest.</summary>
public sealed class Builder(BuildOptions options, IBuildLog log)
{
    public async Task<Digest> RunAsync(CancellationToken cancellationToken)
    {
        // Check every destination before any work, so a typo fails in a second, not after the build.
        var destinations = options.Destinations.Select(ParseDestination).ToArray();
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

            var platform = TargetPlatform();
            var buildArgs = new BuildArguments(options.BuildArgs, Environment.GetEnvironmentVariable, platform, Platform.Host);
            DeclareMetaArgs(document, buildArgs);
            var plan = BuildPlan.Create(document, buildArgs.MetaVariables, options.Target, options.SkipUnusedStages);
            using var work = WorkDirectory.Create(options.WorkDirectory);
            using var registries = new RegistryClients(TransportOptions(destinations), DockerConfigKeychain.FromEnvironment());
            var stages = new BuildStages(document, registries, work, log);
            var layers = await LayerSettings.CreateAsync(options, work, log, cancellationToken).ConfigureAwait(false);
            await using var streaming = LayerStreaming.Create(options, destinations, BuildPlan.BaseChain(document, buildArgs.MetaVariables, plan.Target), registries, log);
            var builder = new StageBuilder(document, context, registries, new ChrootSandbox(), work, buildArgs, stages, log, Mounts.RunMountOptions.From(options), layers, platform, streaming);
            foreach (var stage in plan.Stages)
            {
                await builder.BuildAsync(stage, cancellationToken).ConfigureAwait(false);
            }

            var image = WithCommandLineLabels(stages.ImageOf(plan.Target));
            foreach (var unused in buildArgs.Unused)
            {
                log.Warn($"the build argument {unused} was not consumed by any ARG");
            }

            await ImageOutputs.WriteAsync(image, options, destinations, registries, log, cancellationToken, streaming.Uploads).ConfigureAwait(false);
            log.Info($"Built {image.ManifestDigest}");
            return image.ManifestDigest;
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

    /// <summary>The platform the image is for: --custom-platform, else the machine's own.</summary>
    private Platform TargetPlatform()
    {
        try
        {
            return options.Platform is { } text ? Platform.Parse(text) : Platform.Host;
        }
        catch (FormatException e)
        {
            throw new BuildException($"invalid --custom-platform '{options.Platform}': {e.Message} (expected OS/ARCH[/VARIANT], for example linux/arm64)");
        }
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

using System.CommandLine;
using System.Globalization;
using Drydock.Building;
using Drydock.Cache;
using Drydock.Dockerfile;
using Drydock.Reference;
using Drydock.Registry;
using Drydock.Registry.Errors;

namespace Drydock.Cli;

/// <summary>
/// `drydock warm` (kaniko's warmer; a binary invoked as <c>warmer</c> runs it): pulls base images
/// into a directory that builds read with <c>--cache-dir</c> before any registry. An image still
/// fresh there is skipped unless <c>--force</c>; the first image that cannot be warmed ends the
/// command with one error.
/// </summary>
public static class WarmCommand
{
    /// <param name="environment">Looks up an environment variable; the entry point passes the process's own.</param>
    public static Command Create(Func<string, string?> environment)
    {
        var flags = new WarmFlags(environment);
        var command = new Command("warm", "Pull base images into a cache directory (an OCI image layout) that builds read with --cache-dir, before any registry.");
        flags.AddTo(command);
        command.SetAction((result, cancellationToken) => RunAsync(flags, result, environment, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(WarmFlags flags, ParseResult result, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        var log = new ConsoleBuildLog(flags.Log.ToSettings(result));
        try
        {
            var images = await ImagesAsync(flags, result, environment, cancellationToken).ConfigureAwait(false);
            var directory = flags.CacheDirectory(result);
            Directory.CreateDirectory(directory);
            var cache = new BaseImageCache(directory, flags.Ttl(result));
            using var registries = new RegistryClientPool(flags.Registry(result), RegistryFlags.Keychain(environment));
            var warmer = new BaseImageWarmer(cache, registries);
            foreach (var (reference, platform) in images)
            {
                WarmedImage warmed;
                try
                {
                    warmed = await warmer.WarmAsync(reference, platform, flags.Force(result), cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (IsFailure(e))
                {
                    log.Error($"could not warm {reference} ({platform}) into {directory}: {e.Message}");
                    log.Debug(e.ToString());
                    return 1;
                }

                var image = warmed.Cached.Image;
                log.Info(warmed.Pulled
                    ? $"Warmed {reference} ({platform}): {image.ManifestDigest}, {image.Layers.Count} layer(s), into {directory}"
                    : $"{reference} ({platform}) is fresh in {directory} (warmed {warmed.Cached.Warmed.ToString("u", CultureInfo.InvariantCulture)}): not pulled again (--force pulls it)");
            }

            return 0;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            log.Error("warming cancelled");
            return 130;
        }
        catch (Exception e) when (IsFailure(e))
        {
            log.Error(e.Message);
            log.Debug(e.ToString());
            return 1;
        }
    }

    /// <summary>Every image to warm with its platform, once each: those of --image, then those the Dockerfile's FROM lines name.</summary>
    private static async Task<IReadOnlyList<(ImageReference Reference, Platform Platform)>> ImagesAsync(
        WarmFlags flags, ParseResult result, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        var platforms = flags.Platforms(result);
        var images = flags.Images(result).SelectMany(reference => platforms.Select(platform => (reference, platform))).ToList();
        if (flags.Dockerfile(result) is { } path)
        {
            var document = DockerfileParser.Parse(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false), path);
            images.AddRange(platforms.SelectMany(platform => DockerfileBaseImages.Of(document, flags.BuildArgs(result), environment, platform)));
        }

        return images.Distinct().ToArray();
    }

    private static bool IsFailure(Exception e) =>
        e is RegistryException or HttpRequestException or DockerfileException or FormatException or InvalidDataException or IOException or UnauthorizedAccessException;
}

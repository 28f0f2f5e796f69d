using Drydock.Dockerfile;
using Drydock.Reference;

namespace Drydock.Building;

/// <summary>
/// The images a Dockerfile's FROM lines pull, named as a build would name them: the ARGs before
/// the first FROM expanded with the build arguments, FROM --platform honoured, scratch and
/// earlier stages left out (what <c>drydock warm --dockerfile</c> warms).
/// </summary>
public static class DockerfileBaseImages
{
    /// <param name="buildArgs">NAME=VALUE pairs as <c>--build-arg</c> gives them; a null value is taken from <paramref name="environment"/>.</param>
    /// <param name="platform">The platform built for, where a FROM names none.</param>
    /// <exception cref="FormatException">A FROM names no valid image or platform once expanded; the message gives its line.</exception>
    public static IReadOnlyList<(ImageReference Reference, Platform Platform)> Of(
        DockerfileDocument document, IEnumerable<KeyValuePair<string, string?>> buildArgs, Func<string, string?> environment, Platform platform)
    {
        ArgumentNullException.ThrowIfNull(document);
        var arguments = new BuildArguments(buildArgs, environment, platform, Platform.Host);
        Builder.DeclareMetaArgs(document, arguments);
        var expander = new VariableExpander(document.EscapeChar, arguments.MetaVariables);
        var images = new List<(ImageReference, Platform)>();
        foreach (var stage in document.Stages)
        {
            var from = stage.From.Expand(expander);
            if (from.Image.Equals("scratch", StringComparison.OrdinalIgnoreCase) || BuildPlan.StageNamed(document, from.Image, stage, allowIndex: false) is not null)
            {
                continue;
            }

            try
            {
                var image = (ImageReference.Parse(from.Image), from.Platform is { } requested ? Platform.Parse(requested) : platform);
                if (!images.Contains(image))
                {
                    images.Add(image);
                }
            }
            catch (FormatException e)
            {
                throw new FormatException($"{from.Location}: FROM {from.Image}: {e.Message}", e);
            }
        }

        return images;
    }
}

using Drydock.Context;
using Drydock.Dockerfile;
using Drydock.Foundation.Paths;
using Drydock.Oci;
using Drydock.Reference;
using Drydock.Registry;
using Drydock.Registry.Errors;

namespace Drydock.Building;

/// <summary>The stages built so far, and the images FROM, COPY --from and RUN --mount pull (those of COPY and RUN unpacked once per build).</summary>
internal sealed class BuiltStages(DockerfileDocument document, BaseImageResolver images, WorkDirectory work, IBuildLog log)
{
    private readonly Dictionary<int, (Image Image, StageFiles Files)> _built = [];
    private readonly Dictionary<string, StageFiles> _images = new(StringComparer.Ordinal);

    public void Add(Stage stage, Image image, StageFiles files) => _built[stage.Index] = (image, files);

    /// <summary>The stage's files were moved to <paramref name="rootfs"/> (in place, when the next stage takes the root).</summary>
    public void Relocate(Stage stage, string rootfs) => _built[stage.Index].Files.Relocate(rootfs);

    public Image ImageOf(Stage stage) => _built[stage.Index].Image;

    /// <summary>Resolves the image a FROM names for the platform (manifest and config, no layers).</summary>
    public Task<BaseImage> ResolveBaseAsync(ImageReference reference, Platform platform, CancellationToken cancellationToken) =>
        BaseImage.ResolveAsync(images, reference, platform, log, cancellationToken);

    /// <summary>The stage FROM builds on, or null when FROM names an image.</summary>
    public Stage? ParentOf(Stage stage, string image) => BuildPlan.StageNamed(document, image, stage, allowIndex: false);

    /// <summary>What <c>COPY --from=VALUE</c> reads: a stage (by name or index) or an image's filesystem.</summary>
    public async Task<IFileSource> CopySourceAsync(string from, Stage user, Platform platform, CancellationToken cancellationToken) =>
        FileSource.ForRootfs(await RootfsAsync(from, user, platform, cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// The root filesystem a <c>--from=VALUE</c> names (COPY, RUN --mount): a stage's, by name or
    /// index, or an image's, pulled and unpacked on first use.
    /// </summary>
    public async Task<string> RootfsAsync(string from, Stage user, Platform platform, CancellationToken cancellationToken)
    {
        if (BuildPlan.StageNamed(document, from, user, allowIndex: true) is { } stage)
        {
            return await _built[stage.Index].Files.ReadyAsync(cancellationToken).ConfigureAwait(false);
        }

        var key = FromReference(from).ToString();
        if (!_images.TryGetValue(key, out var files))
        {
            var image = await FromImageAsync(from, platform, cancellationToken).ConfigureAwait(false);
            files = new StageFiles(work.NewRootfs("image-" + _images.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)), ImagePathSet.Empty, work.Blobs, log);
            foreach (var layer in image.Layers)
            {
                files.Add(layer, key);
            }

            _images[key] = files;
        }

        return await files.ReadyAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What a <c>--from=VALUE</c> names, for a cache key: a stage by its layers, an image by its manifest digest (nothing is unpacked).</summary>
    public async Task<string> IdentityAsync(string from, Stage user, Platform platform, CancellationToken cancellationToken) =>
        BuildPlan.StageNamed(document, from, user, allowIndex: true) is { } stage
            ? BaseImage.LayersIdentity(_built[stage.Index].Image.Layers)
            : (await FromImageAsync(from, platform, cancellationToken).ConfigureAwait(false)).Identity;

    /// <summary>The image a <c>--from=VALUE</c> that names no stage names.</summary>
    private async Task<BaseImage> FromImageAsync(string from, Platform platform, CancellationToken cancellationToken)
    {
        var reference = FromReference(from);
        try
        {
            return await ResolveBaseAsync(reference, platform, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RegistryException or HttpRequestException)
        {
            throw NeitherStageNorImage(from, e);
        }
    }

    private static ImageReference FromReference(string from)
    {
        try
        {
            return ImageReference.Parse(from);
        }
        catch (FormatException e)
        {
            throw NeitherStageNorImage(from, e);
        }
    }

    /// <summary>--from names a stage or an image; both were tried, since a typo in a stage name lands here.</summary>
    private static BuildContextException NeitherStageNorImage(string from, Exception e) =>
        new($"--from={from} is neither a stage of this Dockerfile nor an image that could be pulled: {e.Message}", e);
}

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
    private readonly Dictionary<int, (Image Image, string Rootfs)> _built = [];
    private readonly Dictionary<string, string> _images = new(StringComparer.Ordinal);

    public void Add(Stage stage, Image image, string rootfs) => _built[stage.Index] = (image, rootfs);

    /// <summary>The stage's files were moved to <paramref name="rootfs"/> (in place, when the next stage takes the root).</summary>
    public void Relocate(Stage stage, string rootfs) => _built[stage.Index] = (_built[stage.Index].Image, rootfs);

    public Image ImageOf(Stage stage) => _built[stage.Index].Image;

    /// <summary>Pulls and unpacks the image a FROM names.</summary>
    public Task<BaseImage> PullBaseAsync(ImageReference reference, Platform platform, string rootfs, ImagePathSet ignored, CancellationToken cancellationToken) =>
        BaseImage.PullAsync(images, reference, platform, rootfs, ignored, work.Blobs, log, cancellationToken);

    /// <summary>Resolves the image a FROM names for the platform (manifest and config, no layers).</summary>
    public Task<IImage> ResolveBaseAsync(ImageReference reference, Platform platform, CancellationToken cancellationToken) =>
        images.ResolveAsync(reference, platform, cancellationToken);

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
            return _built[stage.Index].Rootfs;
        }

        try
        {
            var reference = ImageReference.Parse(from);
            var key = reference.ToString();
            if (!_images.TryGetValue(key, out var rootfs))
            {
                rootfs = work.NewRootfs("image-" + _images.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
                await BaseImage.PullAsync(images, reference, platform, rootfs, ImagePathSet.Empty, work.Blobs, log, cancellationToken).ConfigureAwait(false);
                _images[key] = rootfs;
            }

            return rootfs;
        }
        catch (Exception e) when (e is RegistryException or FormatException or HttpRequestException)
        {
            // --from names a stage or an image; say both were tried, since a typo in a stage name lands here.
            throw new BuildContextException($"--from={from} is neither a stage of this Dockerfile nor an image that could be pulled: {e.Message}", e);
        }
    }
}
